using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using GrowthOps.ServiceDefaults.Validation;
using static GrowthOps.Leads.LeadsDefaults;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// The body of <c>POST /contacts</c> and <c>PATCH /contacts/{id}</c>, as documented (the handlers read it member by member to
/// tell an absent member from a null one: on PATCH a null clears the field, an absent one keeps it). Its attributes are the
/// limits <see cref="RequestLimits"/> holds it to.
/// </summary>
[Description("Contact fields. A new contact needs an email or a phone. On create, an email that exists updates that contact. On PATCH, null clears a field and absent keeps it; attributes merge key by key (null removes a key).")]
public sealed record ContactRequest(
    [property: MaxLength(EmailAddress.MaxLength),
               Description("An address mail systems deliver to: local part up to 64 characters (letters, digits, ! # $ % & ' * + - / = ? ^ _ ` { | } ~ and single dots), a host name as domain (internationalised names allowed). Contacts are unique per email, compared case-insensitively.")]
    string? Email = null,
    [property: MaxLength(MaxKeyword), Description("lead (the default) or customer.")] string? Kind = null,
    [property: MaxLength(MaxText)] string? FirstName = null,
    [property: MaxLength(MaxText)] string? LastName = null,
    [property: MaxLength(MaxText)] string? Phone = null,
    [property: MaxLength(MaxText)] string? Company = null,
    [property: MaxLength(MaxText)] string? Source = null,
    [property: MaxLength(MaxText)] string? Channel = null,
    [property: MaxLength(MaxText)] string? OwnerId = null,
    [property: Range(-1_000_000, 1_000_000)] int? Score = null,
    [property: MaxLength(MaxTimezone), Description("An IANA time zone.")] string? Timezone = null,
    bool? MarketingConsent = null,
    [property: Description("Whether the email is known to be deliverable (set by a verification provider or a CRM sync); false by default, and false again when the email changes unless this request sets it.")]
    bool? EmailVerified = null,
    [property: JsonLimits(MaxProperties = MaxAttributes, MaxKeyLength = MaxMemberName, MaxDepth = MaxJsonDepth, MaxBytes = MaxAttributesBytes),
               Description("Free-form. A contact keeps at most 100 attributes, 16 KiB of JSON, in all.")]
    Dictionary<string, JsonElement>? Attributes = null,
    [property: MaxLength(MaxTags), ItemsMaxLength(MaxTagLength),
               Description("Lower-case letters, digits, _ - : . ; up to 64 characters each. A contact keeps at most 100 in all.")]
    string[]? Tags = null);
