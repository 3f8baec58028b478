using System.ComponentModel;
using System.Text.Json;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// The body of <c>POST /contacts</c> and <c>PATCH /contacts/{id}</c>, as documented (the handlers read it member by member to
/// tell an absent member from a null one: on PATCH a null clears the field, an absent one keeps it).
/// </summary>
[Description("Contact fields. On create, an email that exists updates that contact. On PATCH, null clears a field and absent keeps it; attributes merge key by key (null removes a key).")]
public sealed record ContactRequest(
    string? Email = null,
    [property: Description("lead (the default) or customer.")] string? Kind = null,
    string? FirstName = null,
    string? LastName = null,
    string? Phone = null,
    string? Company = null,
    string? Source = null,
    string? Channel = null,
    string? OwnerId = null,
    int? Score = null,
    [property: Description("An IANA time zone.")] string? Timezone = null,
    bool? MarketingConsent = null,
    Dictionary<string, JsonElement>? Attributes = null,
    [property: Description("Lower-case letters, digits, _ - : . ; up to 64 characters each.")] string[]? Tags = null);
