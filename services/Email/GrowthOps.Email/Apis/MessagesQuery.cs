using System.ComponentModel;
using GrowthOps.Email.Data;

namespace GrowthOps.Email.Apis;

/// <summary>The filters of <c>GET /api/email/messages</c>, bound with <c>[AsParameters]</c>.</summary>
public sealed record MessagesQuery(
    [property: Description("queued, sent, failed, suppressed, cancelled or dry_run.")] string? Status = null,
    Guid? ContactId = null,
    Guid? CampaignId = null,
    [property: Description("Messages created at or after this time.")] DateTimeOffset? Since = null)
{
    public static readonly IReadOnlyList<string> Statuses = ["queued", "sent", "failed", "suppressed", "cancelled", "dry_run"];

    public Dictionary<string, string[]> Errors()
    {
        var errors = new Dictionary<string, string[]>();
        if (Status is { } status && !Statuses.Contains(status))
            errors["status"] = [$"one of {string.Join(", ", Statuses)}"];
        return errors;
    }

    public MessagesStore.Filter ToFilter() => new(Status, ContactId, CampaignId, Since?.UtcDateTime);
}
