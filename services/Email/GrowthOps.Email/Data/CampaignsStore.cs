using System.Text;
using System.Text.Json;
using Dapper;
using GrowthOps.Email.Domain.Campaigns;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Email.Data;

/// <summary>The tenant's campaigns (the wizard's rows and their status), in the current unit of work.</summary>
public sealed class CampaignsStore(UnitOfWork unitOfWork)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    sealed record Row(Guid Id, string Name, string Status, string? FromEmail, string? FromName, string? ReplyTo, string? Subject, string? Preheader,
        Guid? TemplateId, int? TemplateVersion, int? PinnedTemplateVersion, string Audience, DateTime? ScheduledAt, string? ScheduleTimezone,
        string? SendLocalTime, string? SendLocalDate, DateTime? StartedAt, DateTime? PausedAt, DateTime? CompletedAt, DateTime? CancelledAt,
        int RecipientsTotal, string? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt)
    {
        public Campaign ToCampaign() => new(Id, Name, Status, FromEmail, FromName, ReplyTo, Subject, Preheader, TemplateId, TemplateVersion,
            PinnedTemplateVersion, ParseAudience(Audience), ScheduledAt, ScheduleTimezone, SendLocalTime, SendLocalDate, StartedAt, PausedAt,
            CompletedAt, CancelledAt, RecipientsTotal, CreatedBy, CreatedAt, UpdatedAt);
    }

    const string Columns = """
        c.id, c.name, c.status, c.from_email, c.from_name, c.reply_to, c.subject, c.preheader, c.template_id, c.template_version,
        c.pinned_template_version, c.audience::text as audience, c.scheduled_at, c.schedule_timezone,
        to_char(c.send_local_time, 'HH24:MI') as send_local_time, to_char(c.send_local_date, 'YYYY-MM-DD') as send_local_date,
        c.started_at, c.paused_at, c.completed_at, c.cancelled_at, c.recipients_total, c.created_by, c.created_at, c.updated_at
        """;

    /// <summary>An audience as stored; a row written before any audience was set (<c>{}</c>) is <see cref="CampaignAudience.None"/>.</summary>
    static CampaignAudience ParseAudience(string json)
    {
        var a = JsonSerializer.Deserialize<StoredAudience>(json, Json)!;
        return new CampaignAudience(a.IncludeSegments ?? [], a.ExcludeSegments ?? [], a.ContactIds ?? [], a.AllConsenting ?? false);
    }

    sealed record StoredAudience(Guid[]? IncludeSegments, Guid[]? ExcludeSegments, Guid[]? ContactIds, bool? AllConsenting);

    public static string AudienceJson(CampaignAudience audience) => JsonSerializer.Serialize(audience, Json);

    public async Task<Campaign> CreateAsync(Guid id, CampaignSettings settings, CampaignAudience audience, Guid? templateId, int? templateVersion,
        string? createdBy, CancellationToken ct) =>
        (await unitOfWork.Connection.QuerySingleAsync<Row>(unitOfWork.Command($"""
            insert into email.campaigns as c (tenant_id, id, name, from_email, from_name, reply_to, subject, preheader, template_id, template_version,
              audience, created_by)
            values (email.current_tenant(), @id, @Name, @FromEmail, @FromName, @ReplyTo, @Subject, @Preheader, @templateId, @templateVersion,
              @audience::jsonb, @createdBy)
            returning {Columns}
            """, new
        {
            id, settings.Name, settings.FromEmail, settings.FromName, settings.ReplyTo, settings.Subject, settings.Preheader, templateId,
            templateVersion, audience = AudienceJson(audience), createdBy,
        }, ct))).ToCampaign();

    public async Task<Campaign?> GetAsync(Guid id, CancellationToken ct, bool forUpdate = false) =>
        (await unitOfWork.Connection.QuerySingleOrDefaultAsync<Row>(unitOfWork.Command(
            $"select {Columns} from email.campaigns c where c.tenant_id = email.current_tenant() and c.id = @id{(forUpdate ? " for update" : "")}",
            new { id }, ct)))?.ToCampaign();

    public async Task<Page<Campaign>> ListAsync(string? status, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder($"select {Columns} from email.campaigns c where c.tenant_id = email.current_tenant() and (@status::text is null or c.status = @status)");
        var args = new DynamicParameters(new { status });
        Keyset.Append(sql, args, page, "c.created_at", "c.id");
        var rows = (await unitOfWork.Connection.QueryAsync<Row>(unitOfWork.Command(sql.ToString(), args, ct))).Select(r => r.ToCampaign()).ToList();
        return Keyset.Page(rows, page, c => (c.CreatedAt, c.Id));
    }

    public async Task<Campaign> UpdateSettingsAsync(Guid id, CampaignSettings settings, CancellationToken ct) =>
        await UpdateAsync(id, """
            name = @Name, from_email = @FromEmail, from_name = @FromName, reply_to = @ReplyTo, subject = @Subject, preheader = @Preheader
            """, new { id, settings.Name, settings.FromEmail, settings.FromName, settings.ReplyTo, settings.Subject, settings.Preheader }, ct);

    public Task<Campaign> UpdateAudienceAsync(Guid id, CampaignAudience audience, CancellationToken ct) =>
        UpdateAsync(id, "audience = @audience::jsonb", new { id, audience = AudienceJson(audience) }, ct);

    public Task<Campaign> UpdateDesignAsync(Guid id, Guid templateId, int? templateVersion, CancellationToken ct) =>
        UpdateAsync(id, "template_id = @templateId, template_version = @templateVersion", new { id, templateId, templateVersion }, ct);

    /// <summary>Schedules the campaign to fan out at <paramref name="due"/>: an instant, or (with a local time) the earliest recipient's.</summary>
    public Task<Campaign> ScheduleAsync(Guid id, DateTimeOffset due, string? localDate, string? localTime, string? timezone, CancellationToken ct) =>
        UpdateAsync(id, """
            status = 'scheduled', scheduled_at = @due, due_at = @due, send_local_date = @localDate::date, send_local_time = @localTime::time,
            schedule_timezone = @timezone
            """, new { id, due = due.UtcDateTime, localDate, localTime, timezone }, ct);

    public Task<Campaign> UnscheduleAsync(Guid id, CancellationToken ct) =>
        UpdateAsync(id, "status = 'draft', scheduled_at = null, due_at = null, send_local_date = null, send_local_time = null, schedule_timezone = null",
            new { id }, ct);

    /// <summary>The fan-out is done: the campaign sends, checked for completion from <paramref name="checkAt"/>.</summary>
    public Task<Campaign> StartSendingAsync(Guid id, int pinnedVersion, int recipientsTotal, DateTimeOffset now, DateTimeOffset checkAt,
        CancellationToken ct) =>
        UpdateAsync(id, """
            status = 'sending', pinned_template_version = @pinnedVersion, recipients_total = @recipientsTotal, fanned_out_at = @now,
            started_at = @now, due_at = @checkAt
            """, new { id, pinnedVersion, recipientsTotal, now = now.UtcDateTime, checkAt = checkAt.UtcDateTime }, ct);

    public Task<Campaign> PauseAsync(Guid id, DateTimeOffset now, CancellationToken ct) =>
        UpdateAsync(id, "status = 'paused', paused_at = @now, due_at = null", new { id, now = now.UtcDateTime }, ct);

    public Task<Campaign> ResumeAsync(Guid id, DateTimeOffset now, CancellationToken ct) =>
        UpdateAsync(id, "status = 'sending', paused_at = null, due_at = @now", new { id, now = now.UtcDateTime }, ct);

    public Task<Campaign> CancelAsync(Guid id, DateTimeOffset now, CancellationToken ct) =>
        UpdateAsync(id, "status = 'cancelled', cancelled_at = @now, due_at = null", new { id, now = now.UtcDateTime }, ct);

    /// <summary>
    /// Marks a sending campaign sent when none of its emails is queued any more (one statement, so an email queued by a
    /// concurrent resume cannot slip between the check and the update); otherwise moves its next check to <paramref name="checkAgainAt"/>.
    /// Returns whether it completed.
    /// </summary>
    public async Task<bool> CompleteIfDoneAsync(Guid id, DateTimeOffset now, DateTimeOffset checkAgainAt, CancellationToken ct)
    {
        var completed = await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update email.campaigns c set status = 'sent', completed_at = @now, due_at = null, updated_at = @now
             where c.tenant_id = email.current_tenant() and c.id = @id and c.status = 'sending'
               and not exists (select 1 from email.email_jobs j
                                where j.tenant_id = c.tenant_id and j.campaign_id = c.id and j.status = 'queued')
            """, new { id, now = now.UtcDateTime }, ct)) > 0;
        if (!completed)
            await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
                "update email.campaigns set due_at = @checkAgainAt where tenant_id = email.current_tenant() and id = @id and status = 'sending'",
                new { id, checkAgainAt = checkAgainAt.UtcDateTime }, ct));
        return completed;
    }

    /// <summary>A claim of a campaign with nothing left to do (paused, cancelled, sent since): it is not due any more.</summary>
    public Task ClearDueAsync(Guid id, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "update email.campaigns set due_at = null where tenant_id = email.current_tenant() and id = @id", new { id }, ct));

    public async Task<bool> DeleteDraftAsync(Guid id, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "delete from email.campaigns where tenant_id = email.current_tenant() and id = @id and status = 'draft'", new { id }, ct)) > 0;

    /// <summary>The due campaign of every tenant claimed most overdue first (a transaction of no tenant, through migration 0004's function).</summary>
    public async Task<(Guid TenantId, Guid CampaignId, string Status)?> ClaimDueAsync(DateTimeOffset now, DateTimeOffset retryAt, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<(Guid, Guid, string)>(unitOfWork.Command(
            "select claimed_tenant_id, claimed_campaign_id, claimed_status from email.claim_due_campaign(@now, @retryAt)",
            new { now = now.UtcDateTime, retryAt = retryAt.UtcDateTime }, ct)))
        .Select(r => ((Guid, Guid, string)?)r).SingleOrDefault();

    async Task<Campaign> UpdateAsync(Guid id, string set, object args, CancellationToken ct) =>
        (await unitOfWork.Connection.QuerySingleAsync<Row>(unitOfWork.Command($"""
            update email.campaigns c set {set}, updated_at = now()
             where c.tenant_id = email.current_tenant() and c.id = @id
            returning {Columns}
            """, args, ct))).ToCampaign();
}
