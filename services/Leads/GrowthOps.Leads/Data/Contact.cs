using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Leads.Data;

/// <summary>A contact row (with its state's name), mutable so updates are applied in code and written back whole.</summary>
public sealed class Contact
{
    public Guid Id { get; set; }
    public string? Email { get; set; }
    public string Kind { get; set; } = "lead";
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Phone { get; set; }
    public string? Company { get; set; }
    public string? Source { get; set; }
    public string? Channel { get; set; }
    public string? OwnerId { get; set; }
    public int Score { get; set; }
    public string? Timezone { get; set; }
    public bool MarketingConsent { get; set; }
    public DateTime? ConsentAt { get; set; }
    public string AttributesJson { get; set; } = "{}";
    public string[] Tags { get; set; } = [];
    public Guid? StateId { get; set; }
    public string? StateName { get; set; }
    public DateTime? StateEnteredAt { get; set; }
    public DateTime? LastInteractionAt { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public bool EmailVerified { get; set; }

    /// <summary>Other addresses of the contact (merged duplicates'): activities and upserts for them land here. Read, never written whole.</summary>
    public string[] SecondaryEmails { get; set; } = [];

    /// <summary>Grows with every write of the row (a trigger bumps it); read back from each write.</summary>
    public long Version { get; set; }

    /// <summary>0–100, computed by the database as the row is written (<c>leads.contact_ai_score</c>); read back from each write.</summary>
    public int? AiScore { get; set; }

    public Dictionary<string, JsonElement> Attributes
    {
        get => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(AttributesJson) ?? [];
        set => AttributesJson = JsonSerializer.Serialize(value);
    }

    public Contact Copy() => (Contact)MemberwiseClone();

    /// <summary>
    /// The key of <c>email_normalized</c>, which makes an email unique per tenant: <see cref="EmailAddress.Normalized"/>, which
    /// is the address trimmed and lower-cased (the key rows had before addresses were validated) for all but the odd spelling
    /// of an internationalised domain. A stored value that is not a valid address keeps that older key.
    /// </summary>
    public static string? Normalize(string? email) =>
        string.IsNullOrWhiteSpace(email) ? null : EmailAddress.TryParse(email, out var address) ? address.Normalized : email.Trim().ToLowerInvariant();

    public ContactSnapshot ToSnapshot() => new(Id, Email, Kind, FirstName, LastName, Phone, Company, Source, Channel, OwnerId, Score, Timezone,
        MarketingConsent, Tags, StateName, Attributes, Utc(LastInteractionAt), Utc(Created)!.Value, Utc(Updated)!.Value, Version, AiScore,
        EmailVerified, Utc(StateEnteredAt));

    static DateTimeOffset? Utc(DateTime? value) => value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    /// <summary>Fields (snake_case, as in the API) whose values differ from <paramref name="before"/>.</summary>
    public List<string> ChangedSince(Contact before)
    {
        var changed = new List<string>();
        void Check(string name, object? a, object? b)
        {
            if (!Equals(a, b))
                changed.Add(name);
        }

        Check("email", before.Email, Email);
        Check("kind", before.Kind, Kind);
        Check("first_name", before.FirstName, FirstName);
        Check("last_name", before.LastName, LastName);
        Check("phone", before.Phone, Phone);
        Check("company", before.Company, Company);
        Check("source", before.Source, Source);
        Check("channel", before.Channel, Channel);
        Check("owner_id", before.OwnerId, OwnerId);
        Check("score", before.Score, Score);
        Check("timezone", before.Timezone, Timezone);
        Check("marketing_consent", before.MarketingConsent, MarketingConsent);
        Check("email_verified", before.EmailVerified, EmailVerified);
        if (!JsonEquals(before.AttributesJson, AttributesJson))
            changed.Add("attributes");
        if (!before.Tags.Order().SequenceEqual(Tags.Order()))
            changed.Add("tags");
        Check("lead_state", before.StateId, StateId);
        return changed;
    }

    static bool JsonEquals(string a, string b) =>
        a == b || JsonNodeEquals(System.Text.Json.Nodes.JsonNode.Parse(a), System.Text.Json.Nodes.JsonNode.Parse(b));

    static bool JsonNodeEquals(System.Text.Json.Nodes.JsonNode? a, System.Text.Json.Nodes.JsonNode? b) =>
        System.Text.Json.Nodes.JsonNode.DeepEquals(a, b);
}
