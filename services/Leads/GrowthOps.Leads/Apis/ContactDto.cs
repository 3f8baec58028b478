using System.Text.Json;
using GrowthOps.Leads.Data;

namespace GrowthOps.Leads.Apis;

public sealed record ContactDto(
    Guid Id, string? Email, string Kind, string? FirstName, string? LastName, string? Name, string? Phone, string? Company, string? Source,
    string? Channel, string? OwnerId, int Score, string? Timezone, bool MarketingConsent, DateTime? ConsentAt,
    Dictionary<string, JsonElement> Attributes, string[] Tags, Guid? LeadStateId, string? LeadState, DateTime? StateEnteredAt,
    DateTime? LastInteractionAt, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static ContactDto From(Contact c) => new(c.Id, c.Email, c.Kind, c.FirstName, c.LastName,
        string.Join(' ', new[] { c.FirstName, c.LastName }.Where(n => !string.IsNullOrEmpty(n))) is { Length: > 0 } name ? name : null,
        c.Phone, c.Company, c.Source, c.Channel, c.OwnerId, c.Score, c.Timezone, c.MarketingConsent, c.ConsentAt, c.Attributes, c.Tags, c.StateId,
        c.StateName, c.StateEnteredAt, c.LastInteractionAt, c.Created, c.Updated);
}
