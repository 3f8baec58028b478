namespace GrowthOps.Conditions;

/// <summary>
/// The fields of the read model that criteria may name. <c>status</c> is the lead state (the seed's "New Lead: status equals
/// 'new'"); <c>days_inactive</c> counts from the last interaction, or from the contact's creation if it never interacted;
/// <c>days_in_state</c> from entering its lead state. <c>purchase_count</c> stays null until Revenue feeds it; <c>predicted_conversion</c> until the tenant's propensity model is trained (<c>Domain/Predictive</c>). Custom
/// attributes are <c>attributes.&lt;key&gt;</c> (the whole rest is the key), typed by the condition's value or its
/// <c>type</c>.
/// </summary>
public static class FieldCatalogue
{
    public const string AttributePrefix = "attributes.";
    public const string MetadataPrefix = "metadata.";

    static readonly Dictionary<string, CriteriaField> Fields = new CriteriaField[]
    {
        Text("email", c => c.Email),
        Text("kind", c => c.Kind),
        Text("first_name", c => c.FirstName),
        Text("last_name", c => c.LastName),
        Text("phone", c => c.Phone),
        Text("company", c => c.Company),
        Text("source", c => c.Source),
        Text("channel", c => c.Channel),
        Text("owner_id", c => c.OwnerId),
        Text("timezone", c => c.Timezone),
        Text("lead_state", c => c.LeadState),
        Text("status", c => c.LeadState, "lead_state"),
        Number("score", c => c.Score),
        Number("ai_score", c => c.AiScore),
        Number("purchase_count", c => c.PurchaseCount),
        new("predicted_conversion", FieldType.Number, FieldKind.Column, "{0}.predicted_conversion",
            c => c.PredictedConversion is { } v ? ExactNumber.From(v) : null),
        Boolean("marketing_consent", c => c.MarketingConsent),
        Boolean("email_verified", c => c.EmailVerified),
        Date("consent_at", c => c.ConsentAt),
        Date("state_entered_at", c => c.StateEnteredAt),
        Date("last_interaction_at", c => c.LastInteractionAt),
        Date("created_at", c => c.CreatedAt),
        Date("updated_at", c => c.UpdatedAt),
        new("tags", FieldType.Tags, FieldKind.Column, "{0}.tags", c => c.Tags),
        new("days_inactive", FieldType.Number, FieldKind.DaysSince, "coalesce({0}.last_interaction_at, {0}.created_at)",
            c => c.LastInteractionAt ?? c.CreatedAt),
        new("days_in_state", FieldType.Number, FieldKind.DaysSince, "{0}.state_entered_at", c => c.StateEnteredAt),
    }.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public static IEnumerable<CriteriaField> All => Fields.Values;

    public static CriteriaField? Find(string name) => Fields.GetValueOrDefault(name);

    public static CriteriaField Attribute(string key, FieldType? type) => new(AttributePrefix + key, type, FieldKind.Attribute, Key: key);

    /// <summary>A context value by its dotted path, the field name itself (<c>event.order.total</c>).</summary>
    public static CriteriaField Context(string path, FieldType? type) => new(path, type, FieldKind.Context, Key: path);

    public static CriteriaField Metadata(string key, FieldType? type) => new(MetadataPrefix + key, type, FieldKind.Metadata, Key: key);

    static CriteriaField Text(string name, Func<ContactFacts, string?> read, string? column = null) =>
        new(name, FieldType.Text, FieldKind.Column, $"{{0}}.{column ?? name}", c => read(c));

    static CriteriaField Number(string name, Func<ContactFacts, int?> read) =>
        new(name, FieldType.Number, FieldKind.Column, $"{{0}}.{name}", c => read(c) is { } v ? ExactNumber.From(v) : null);

    static CriteriaField Boolean(string name, Func<ContactFacts, bool?> read) =>
        new(name, FieldType.Boolean, FieldKind.Column, $"{{0}}.{name}", c => read(c));

    static CriteriaField Date(string name, Func<ContactFacts, DateTimeOffset?> read) =>
        new(name, FieldType.Date, FieldKind.Column, $"{{0}}.{name}", c => read(c));
}
