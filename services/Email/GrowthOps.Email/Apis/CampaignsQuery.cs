using System.ComponentModel;

namespace GrowthOps.Email.Apis;

/// <summary>The filter of <c>GET /api/email/campaigns</c>.</summary>
public sealed record CampaignsQuery(
    [property: Description("draft, scheduled, sending, paused, sent or cancelled.")] string? Status = null);
