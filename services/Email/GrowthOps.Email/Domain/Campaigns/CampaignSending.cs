using GrowthOps.Email.Data;
using GrowthOps.ServiceDefaults.Errors;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Domain.Campaigns;

/// <summary>
/// What a campaign needs before it goes, and its moves between statuses, in the caller's unit of work (a request's, or the
/// scheduler's transaction of the campaign's tenant). A move the status does not allow is a <see cref="ConflictException"/>;
/// a campaign that is not ready is a <see cref="RuleRefusedException"/> listing its problems.
/// </summary>
public sealed class CampaignSending(CampaignsStore campaigns, CampaignJobsStore jobs, AudiencesStore audiences, CampaignTemplatesReader templates,
    TimeProvider clock, IOptions<CampaignsOptions> options)
{
    /// <summary>The campaign, locked until the transaction ends so that concurrent moves of it happen one after the other.</summary>
    public async Task<Campaign> LockAsync(Guid id, CancellationToken ct) =>
        await campaigns.GetAsync(id, ct, forUpdate: true) ?? throw new NotFoundException($"Campaign {id} does not exist.");

    public static void Require(Campaign campaign, string[] from, string action)
    {
        if (!from.Contains(campaign.Status))
            throw new ConflictException($"A {campaign.Status} campaign cannot be {action}; only a campaign that is {string.Join(" or ", from)} can.",
                new Dictionary<string, object?> { ["status"] = campaign.Status, ["allowed_from"] = from });
    }

    /// <summary>What keeps the campaign from being sent (empty when nothing does), and the version it would pin.</summary>
    public async Task<(IReadOnlyList<CampaignProblem> Problems, int? Version, AudienceCounts Counts)> CheckAsync(Campaign campaign, CancellationToken ct)
    {
        var problems = new List<CampaignProblem>();
        int? version = null;
        if (campaign.TemplateId is not { } templateId)
            problems.Add(new("no_template", "Choose a template (the design step)."));
        else if ((version = await templates.VersionToPinAsync(templateId, campaign.TemplateVersion, ct)) is null)
            problems.Add(campaign.TemplateVersion is { } v
                ? new("template_version_not_found", $"Template {templateId} has no version {v} (or is archived or deleted).")
                : new("template_not_found", $"Template {templateId} does not exist any more (or is archived)."));
        if (campaign.FromEmail is null)
            problems.Add(new("no_from_email", "Set the sender's address (the settings step)."));
        if (campaign.Subject is null && version is { } pinned && (await templates.ContentAsync(campaign.TemplateId!.Value, pinned, ct))?.Subject is not { Length: > 0 })
            problems.Add(new("no_subject", "Set a subject: neither the campaign nor its template has one."));
        var counts = await audiences.CountAsync(campaign.Audience, ct);
        if (!campaign.Audience.IsDefined)
            problems.Add(new("no_audience", "Choose an audience: segments, contacts, or all consenting contacts."));
        else if (counts.Sendable == 0)
            problems.Add(new("no_sendable_recipients", "Nobody in the audience can be sent to (no address, suppressed or no consent)."));
        return (problems, version, counts);
    }

    /// <summary>Emails a fan-out adds before the jobs table's statistics are refreshed in its transaction.</summary>
    public const int AnalyzeAfter = 10_000;

    /// <summary>
    /// Sends the campaign now (or, from the scheduler, at its due time): pins the template version, fans out in one statement
    /// and makes the campaign <c>sending</c>.
    /// </summary>
    public async Task<Campaign> SendAsync(Campaign campaign, string requestedBy, CancellationToken ct)
    {
        Require(campaign, CampaignStatuses.From.Send, "sent");
        var (problems, version, _) = await CheckAsync(campaign, ct);
        if (problems.Count > 0)
            throw new RuleRefusedException($"The campaign is not ready to send: {string.Join(" ", problems.Select(p => p.Message))}",
                new Dictionary<string, object?> { ["problems"] = problems });
        var now = clock.GetUtcNow();
        var added = await jobs.FanOutAsync(campaign, version!.Value, now, requestedBy, ct);
        var total = await jobs.CountAsync(campaign.Id, ct);
        var sending = await campaigns.StartSendingAsync(campaign.Id, version.Value, total, now, now + options.Value.CompletionCheckInterval, ct);
        // The planner's statistics are what autovacuum last saw: right after a large fan-out they describe a table without
        // these rows, and the workers' per-batch statements would be planned as scans of the whole tenant (seen: the record
        // step 4x slower, alternating between runs). Fresh statistics before the first batch, in this transaction (which
        // sees its own rows); last, because the lock it takes is held until the commit.
        if (added >= AnalyzeAfter)
            await jobs.AnalyzeAsync(ct);
        return sending;
    }

    /// <summary>Schedules the campaign for an instant.</summary>
    public async Task<Campaign> ScheduleAtAsync(Campaign campaign, DateTimeOffset sendAt, CancellationToken ct)
    {
        Require(campaign, CampaignStatuses.From.Schedule, "scheduled");
        await RequireReadyAsync(campaign, ct);
        if (sendAt <= clock.GetUtcNow())
            throw new RuleRefusedException("send_at is in the past: send the campaign now instead.");
        return await campaigns.ScheduleAsync(campaign.Id, sendAt, null, null, null, ct);
    }

    /// <summary>
    /// Schedules the campaign for <paramref name="localTime"/> on <paramref name="localDate"/> in each recipient's zone; the
    /// fan-out happens when the earliest of them comes, every email then waiting for its own instant (<c>not_before</c>).
    /// Refused when the time has passed everywhere; a recipient whose time has passed already when the fan-out runs is sent at once.
    /// </summary>
    public async Task<Campaign> ScheduleLocalAsync(Campaign campaign, string localDate, string localTime, string fallbackZone, CancellationToken ct)
    {
        Require(campaign, CampaignStatuses.From.Schedule, "scheduled");
        await RequireReadyAsync(campaign, ct);
        if (!await audiences.IsKnownZoneAsync(fallbackZone, ct))
            throw new RuleRefusedException($"fallback_timezone '{fallbackZone}' is not a time zone (an IANA name such as Europe/Paris).");
        var (first, last) = await audiences.LocalTimeSpanAsync(campaign.Audience, localDate, localTime, fallbackZone, ct);
        var now = clock.GetUtcNow();
        if (last <= now.UtcDateTime)
            throw new RuleRefusedException($"{localDate} {localTime} has passed in every recipient's time zone.");
        var due = new DateTimeOffset(DateTime.SpecifyKind(first, DateTimeKind.Utc));
        return await campaigns.ScheduleAsync(campaign.Id, due < now ? now : due, localDate, localTime, fallbackZone, ct);
    }

    public async Task<Campaign> CancelAsync(Campaign campaign, CancellationToken ct)
    {
        Require(campaign, CampaignStatuses.From.Cancel, "cancelled");
        await jobs.CancelQueuedAsync(campaign.Id, ct);
        return await campaigns.CancelAsync(campaign.Id, clock.GetUtcNow(), ct);
    }

    /// <summary>Completes a sending campaign with no queued email left; true when it did.</summary>
    public Task<bool> CompleteIfDoneAsync(Campaign campaign, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return campaign.Status == CampaignStatuses.Sending
            ? campaigns.CompleteIfDoneAsync(campaign.Id, now, now + options.Value.CompletionCheckInterval, ct)
            : Task.FromResult(false);
    }

    async Task RequireReadyAsync(Campaign campaign, CancellationToken ct)
    {
        var (problems, _, _) = await CheckAsync(campaign, ct);
        if (problems.Count > 0)
            throw new RuleRefusedException($"The campaign is not ready to schedule: {string.Join(" ", problems.Select(p => p.Message))}",
                new Dictionary<string, object?> { ["problems"] = problems });
    }
}
