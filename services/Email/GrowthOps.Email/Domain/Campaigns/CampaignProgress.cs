namespace GrowthOps.Email.Domain.Campaigns;

/// <summary>
/// Where a send stands: the campaign's emails by status, the rate of the last minute (emails per second, by their sent_at;
/// over the time since the send started when that is shorter) and the seconds the queued ones take at that rate (null
/// while nothing is being sent).
/// </summary>
public sealed record CampaignProgress(
    Guid CampaignId,
    string Status,
    int Total,
    int Queued,
    int Sent,
    int Failed,
    int Suppressed,
    int Cancelled,
    double Rate,
    double? EtaSeconds,
    DateTime? StartedAt,
    DateTime? CompletedAt);
