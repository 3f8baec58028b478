using System.ComponentModel;
using System.Text.Json;
using GrowthOps.Leads.Data;

namespace GrowthOps.Leads.Apis;

public sealed record ContactDto(
    Guid Id, string? Email, string Kind, string? FirstName, string? LastName, string? Name, string? Phone, string? Company, string? Source,
    string? Channel, string? OwnerId, int Score, string? Timezone, bool MarketingConsent, DateTime? ConsentAt,
    Dictionary<string, JsonElement> Attributes, string[] Tags, Guid? LeadStateId, string? LeadState, DateTime? StateEnteredAt,
    DateTime? LastInteractionAt, DateTime CreatedAt, DateTime UpdatedAt,
    [property: Description("Whether the email is known to be deliverable.")] bool EmailVerified,
    [property: Description("Conversion score 0–100 from fit and time-decayed engagement, calibrated on the tenant's won/lost history when it has enough (GET /api/leads/stats shows the model).")]
    int? AiScore,
    [property: Description("Grows with every change of the contact; events carry it in their contact snapshot.")] long Version,
    [property: Description("The contact's other addresses, from merged duplicates: activities and upserts for them land on this contact.")]
    string[] SecondaryEmails)
{
    public static ContactDto From(Contact c) => new(c.Id, c.Email, c.Kind, c.FirstName, c.LastName,
        string.Join(' ', new[] { c.FirstName, c.LastName }.Where(n => !string.IsNullOrEmpty(n))) is { Length: > 0 } name ? name : null,
        c.Phone, c.Company, c.Source, c.Channel, c.OwnerId, c.Score, c.Timezone, c.MarketingConsent, c.ConsentAt, c.Attributes, c.Tags, c.StateId,
        c.StateName, c.StateEnteredAt, c.LastInteractionAt, c.Created, c.Updated, c.EmailVerified, c.AiScore, c.Version, c.SecondaryEmails);
}
