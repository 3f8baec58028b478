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
    ILogger<CampaignScheduler> logger) : BackgroundService
{
    public const string RequestedBy = "campaign-scheduler";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Claiming due campaigns failed; will try again");
            }

            // Real time, not the clock: the clock decides what is due, this only how often to look.
            await Task.Delay(options.Value.PollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Runs every campaign due now; returns how many it ran.</summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        var ran = 0;
        while (!ct.IsCancellationRequested && await ClaimAsync(ct) is { } claimed)
            ran += await RunAsync(claimed.TenantId, claimed.CampaignId, ct);
        return ran;
    }

    async Task<(Guid TenantId, Guid CampaignId, string Status)?> ClaimAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        await unitOfWork.BeginAsync(null, ct);
        try
        {
            var now = clock.GetUtcNow();
            var claimed = await scope.ServiceProvider.GetRequiredService<CampaignsStore>().ClaimDueAsync(now, now + options.Value.ClaimRetryAfter, ct);
            await unitOfWork.CommitAsync(ct);
            return claimed;
        }
        catch (Exception e)
        {
            await unitOfWork.RollbackAsync(e);
            throw;
        }
    }

    async Task<int> RunAsync(Guid tenantId, Guid campaignId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var unitOfWork = services.GetRequiredService<UnitOfWork>();
        try
        {
            await unitOfWork.BeginAsync(tenantId, ct);
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

            await unitOfWork.CommitAsync(ct);
            return 1;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            await unitOfWork.RollbackAsync(e);
            logger.LogWarning(e, "The due work of campaign {CampaignId} of tenant {TenantId} failed; it runs again when claimed next",
                campaignId, tenantId);
            return 0;
        }
    }
}
