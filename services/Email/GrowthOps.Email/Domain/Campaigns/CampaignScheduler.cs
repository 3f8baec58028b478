using GrowthOps.Email.Data;
using GrowthOps.Persistence;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Domain.Campaigns;

/// <summary>
/// Runs campaigns' timed work on every replica, each piece once: the fan-out of a scheduled campaign when it is due, and the
/// completion check of a sending one (no queued email left → <c>sent</c>). The schedule is the campaigns' <c>due_at</c>
/// column, so it survives restarts; a claim moves it forward under <c>FOR UPDATE SKIP LOCKED</c> (migration 0004), so replicas
/// take different campaigns, and a claim whose work failed or whose process died is claimed again
/// <see cref="CampaignsOptions.ClaimRetryAfter"/> later. The work is a transaction of the campaign's tenant that locks the
/// campaign and checks its status again, so a claim that raced a pause, a cancel or another replica does nothing twice.
/// </summary>
public sealed class CampaignScheduler(IServiceScopeFactory scopes, TimeProvider clock, IOptions<CampaignsOptions> options,
    ILogger<CampaignScheduler> logger) : DueWorkService(logger)
{
    public const string RequestedBy = "campaign-scheduler";

    protected override TimeSpan Interval => options.Value.PollInterval;

    protected override string Work => "Claiming due campaigns";

    /// <summary>Runs every campaign due now; returns how many it ran.</summary>
    public override async Task<int> RunDueAsync(CancellationToken ct)
    {
        var ran = 0;
        while (!ct.IsCancellationRequested && await ClaimAsync(ct) is { } claimed)
            ran += await RunAsync(claimed.TenantId, claimed.CampaignId, ct);
        return ran;
    }

    Task<(Guid TenantId, Guid CampaignId, string Status)?> ClaimAsync(CancellationToken ct) =>
        scopes.InTransactionAsync(null, services =>
        {
            var now = clock.GetUtcNow();
            return services.GetRequiredService<CampaignsStore>().ClaimDueAsync(now, now + options.Value.ClaimRetryAfter, ct);
        }, ct);

    /// <summary>One campaign's due work in its tenant's transaction; a failure is logged and the claim's time brings it back.</summary>
    async Task<int> RunAsync(Guid tenantId, Guid campaignId, CancellationToken ct)
    {
        try
        {
            return await scopes.InTransactionAsync(tenantId, async services =>
            {
                var sending = services.GetRequiredService<CampaignSending>();
                var campaign = await services.GetRequiredService<CampaignsStore>().GetAsync(campaignId, ct, forUpdate: true);
                switch (campaign?.Status)
                {
                    case null:
                        break;
                    case CampaignStatuses.Scheduled:
                        await sending.SendAsync(campaign, RequestedBy, ct);
                        break;
                    case CampaignStatuses.Sending:
                        await sending.CompleteIfDoneAsync(campaign, ct);
                        break;
                    default:
                        await services.GetRequiredService<CampaignsStore>().ClearDueAsync(campaignId, ct);
                        break;
                }
                return 1;
            }, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "The due work of campaign {CampaignId} of tenant {TenantId} failed; it runs again when claimed next",
                campaignId, tenantId);
            return 0;
        }
    }
}
