using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Email.Apis;

/// <summary>Sets or rotates the credentials of the tenant's Postmark webhooks; a new password is generated every time.</summary>
public sealed record PostmarkWebhookRequest(
    [property: MaxLength(64), RegularExpression("^[A-Za-z0-9._-]{1,64}$"), Description("The basic auth user name; \"postmark\" when not given.")]
    string? Username = null);
