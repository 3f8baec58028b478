using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Email.Apis;

/// <summary>An address to suppress by hand.</summary>
public sealed record SuppressionRequest(
    [property: MaxLength(EmailAddress.MaxLength)] string? Email = null,
    [property: Description("hard_bounce, spam_complaint, unsubscribe or manual (the default). unsubscribe also clears the contact's marketing consent.")]
    string? Reason = null);
