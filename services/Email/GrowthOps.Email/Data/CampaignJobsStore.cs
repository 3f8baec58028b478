using Dapper;
using GrowthOps.Email.Domain.Campaigns;
using GrowthOps.Persistence;
using static GrowthOps.Email.Data.AudiencesStore;

namespace GrowthOps.Email.Data;

/// <summary>A campaign's emails in <c>email.email_jobs</c> (lane 1): the fan-out, a cancel, and what they report (progress, stats).</summary>
public sealed class CampaignJobsStore(UnitOfWork unitOfWork)
{
    /// <summary>
    /// Queues one email per recipient of the campaign's audience with an address, in one <c>INSERT … SELECT</c>: category
    /// marketing, the campaign's pinned template version, subject override, from and reply-to; the preheader as merge data.
    /// A suppressed address or a recipient without consent is recorded at once as <c>suppressed</c> (error_code
    /// <c>suppressed</c> / <c>no_consent</c>) so that stats show them; the pipeline checks both again when it sends.
    /// <c>not_before</c> is <paramref name="now"/>, or with a local time the campaign's date and time in the recipient's zone.
    /// The unique index on (campaign, contact) makes a repeat add nothing. Returns how many rows it added.
    /// </summary>
    public async Task<int> FanOutAsync(Campaign campaign, int pinnedVersion, DateTimeOffset now, string requestedBy, CancellationToken ct)
    {
        // The planner's estimate of a large fan-out makes PostgreSQL compile it (JIT), which costs more than it saves here.
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("set local jit = off", null, ct));
        return await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command($"""
            with {AudienceCte}, {ZonesCte}
            insert into email.email_jobs (tenant_id, id, lane, campaign_id, contact_id, to_email, category, status, not_before, template_id,
              template_version, subject, merge_data, from_email, reply_to, requested_by, error_code, error)
            select email.current_tenant(), email.campaign_job_id(), 1, @campaign_id, a.contact_id, a.email, 'marketing',
                   case when s.email is not null or not a.marketing_consent then 'suppressed' else 'queued' end,
                   case when @local_time::time is null then @now
                        else (@local_date::date + @local_time::time) at time zone coalesce(z.name, @fallback_zone) end,
                   @template_id, @template_version, @subject, @merge_data::jsonb, @from_email, @reply_to, @requested_by,
                   case when s.email is not null then 'suppressed' when not a.marketing_consent then 'no_consent' end,
                   case when s.email is not null then 'the address is on the suppression list'
                        when not a.marketing_consent then 'the contact has not consented to marketing email' end
              from audience a {SuppressionJoin} {ZoneJoin}
             where coalesce(a.email, '') <> ''
            on conflict (tenant_id, campaign_id, contact_id) where campaign_id is not null do nothing
            """, Args(campaign.Audience, new
        {
            campaign_id = campaign.Id, now = now.UtcDateTime, local_date = campaign.SendLocalDate, local_time = campaign.SendLocalTime,
            fallback_zone = campaign.ScheduleTimezone ?? "UTC", template_id = campaign.TemplateId, template_version = pinnedVersion,
            subject = campaign.Subject, merge_data = campaign.Preheader is null ? null : System.Text.Json.JsonSerializer.Serialize(new { preheader = campaign.Preheader }),
            from_email = campaign.FromEmail, reply_to = campaign.ReplyTo, requested_by = requestedBy,
        }), ct));
    }

    /// <summary>Refreshes the planner's statistics of the jobs table (sampled: about 100 ms at any size).</summary>
    public Task AnalyzeAsync(CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("analyze email.email_jobs", null, ct));

    public Task<int> CountAsync(Guid campaignId, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleAsync<int>(unitOfWork.Command(
            "select count(*)::int from email.email_jobs where tenant_id = email.current_tenant() and campaign_id = @campaignId", new { campaignId }, ct));

    /// <summary>Cancels the campaign's emails not sent yet; returns how many.</summary>
    public Task<int> CancelQueuedAsync(Guid campaignId, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update email.email_jobs set status = 'cancelled', error_code = 'cancelled', error = 'the campaign was cancelled', updated_at = now()
             where tenant_id = email.current_tenant() and campaign_id = @campaignId and status = 'queued'
            """, new { campaignId }, ct));

    sealed record Counts(int Total, int Queued, int Sent, int Failed, int Suppressed, int Cancelled, int SentLastMinute);

    public async Task<CampaignProgress> ProgressAsync(Campaign campaign, DateTimeOffset now, CancellationToken ct)
    {
        var c = await unitOfWork.Connection.QuerySingleAsync<Counts>(unitOfWork.Command("""
            select count(*)::int as total,
                   count(*) filter (where status = 'queued')::int as queued,
                   count(*) filter (where status = 'sent')::int as sent,
                   count(*) filter (where status = 'failed')::int as failed,
                   count(*) filter (where status = 'suppressed')::int as suppressed,
                   count(*) filter (where status = 'cancelled')::int as cancelled,
                   count(*) filter (where status = 'sent' and sent_at > @since)::int as sent_last_minute
              from email.email_jobs where tenant_id = email.current_tenant() and campaign_id = @campaignId
            """, new { campaignId = campaign.Id, since = now.UtcDateTime.AddMinutes(-1) }, ct));
        // Over the last minute, or over the time since the send started when that is shorter (else a new send looks slow).
        var window = campaign.StartedAt is { } started ? Math.Clamp((now.UtcDateTime - started).TotalSeconds, 1, 60) : 60;
        var rate = Math.Round(c.SentLastMinute / window, 2);
        double? eta = c.Queued == 0 ? 0 : rate > 0 ? Math.Round(c.Queued / rate, 1) : null;
        return new CampaignProgress(campaign.Id, campaign.Status, c.Total, c.Queued, c.Sent, c.Failed, c.Suppressed, c.Cancelled, rate, eta,
            campaign.StartedAt, campaign.CompletedAt);
    }

    sealed record EventCounts(int Sent, int Delivered, int UniqueOpens, int TotalOpens, int BotOpens, int UniqueClicks, int TotalClicks, int BotClicks,
        int Bounced, int Complained, int Unsubscribed, int Replied);

    public async Task<CampaignStats> StatsAsync(Guid campaignId, CancellationToken ct)
    {
        var e = await unitOfWork.Connection.QuerySingleAsync<EventCounts>(unitOfWork.Command("""
            select (select count(*) from email.email_jobs j
                     where j.tenant_id = email.current_tenant() and j.campaign_id = @campaignId and j.status = 'sent')::int as sent,
                   count(distinct e.message_id) filter (where e.type = 'delivered')::int as delivered,
                   count(distinct e.message_id) filter (where e.type = 'opened' and not e.bot)::int as unique_opens,
                   count(*) filter (where e.type = 'opened' and not e.bot)::int as total_opens,
                   count(*) filter (where e.type = 'opened' and e.bot)::int as bot_opens,
                   count(distinct e.message_id) filter (where e.type = 'clicked' and not e.bot)::int as unique_clicks,
                   count(*) filter (where e.type = 'clicked' and not e.bot)::int as total_clicks,
                   count(*) filter (where e.type = 'clicked' and e.bot)::int as bot_clicks,
                   count(distinct e.message_id) filter (where e.type = 'bounced')::int as bounced,
                   count(distinct e.message_id) filter (where e.type = 'complained')::int as complained,
                   count(distinct e.message_id) filter (where e.type = 'unsubscribed')::int as unsubscribed,
                   count(distinct e.message_id) filter (where e.type = 'replied')::int as replied
              from email.events e where e.tenant_id = email.current_tenant() and e.campaign_id = @campaignId
            """, new { campaignId }, ct));
        var links = (await unitOfWork.Connection.QueryAsync<LinkClicks>(unitOfWork.Command("""
            select e.url, count(distinct e.message_id)::int as unique_clicks, count(*)::int as total_clicks
              from email.events e
             where e.tenant_id = email.current_tenant() and e.campaign_id = @campaignId and e.type = 'clicked' and not e.bot and e.url is not null
             group by e.url order by total_clicks desc, e.url
            """, new { campaignId }, ct))).ToList();
        var reached = Math.Max(0, e.Sent - e.Bounced);
        return new CampaignStats(campaignId, e.Sent, e.Delivered, e.UniqueOpens, e.TotalOpens, e.BotOpens, e.UniqueClicks, e.TotalClicks, e.BotClicks,
            e.Bounced, e.Complained, e.Unsubscribed, e.Replied, Rate(e.Delivered, e.Sent), Rate(e.Bounced, e.Sent), Rate(e.UniqueOpens, reached),
            Rate(e.UniqueClicks, reached), Rate(e.UniqueClicks, e.UniqueOpens), Rate(e.Complained, reached), Rate(e.Unsubscribed, reached),
            Rate(e.Replied, reached), links);
    }

    static double Rate(int part, int whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);
}
