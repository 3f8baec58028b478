using System.ComponentModel.DataAnnotations;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Email.Apis;

/// <summary>The wizard's settings step (create, or replace a draft's settings). <c>subject</c> absent: the template's subject.</summary>
public sealed record CampaignSettingsRequest(
    [property: MaxLength(200)] string? Name = null,
    [property: MaxLength(EmailAddress.MaxLength)] string? FromEmail = null,
    [property: MaxLength(200)] string? FromName = null,
    [property: MaxLength(EmailAddress.MaxLength)] string? ReplyTo = null,
    [property: MaxLength(500)] string? Subject = null,
    [property: MaxLength(500)] string? Preheader = null);
