using System.Text;
using System.Text.Json;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Email.Data;

/// <summary>The tenant's emails (every row of <c>email.email_jobs</c>) as the messages API shows them, in the current unit of work.</summary>
public sealed class MessagesStore(UnitOfWork unitOfWork)
{
    public sealed record Filter(string? Status, Guid? ContactId, Guid? CampaignId, DateTime? Since);

    const string Columns = """
        j.id, j.status, j.campaign_id, j.contact_id, j.to_email as "to", j.category, j.template_id, j.template_version, j.subject, j.from_email,
        j.reply_to, j.dry_run, j.idempotency_key, j.requested_by, j.correlation_id, j.attempts, j.not_before, j.provider, j.provider_message_id,
        j.error_code, j.error, j.created_at, j.sent_at, j.updated_at
        """;

    public async Task<EmailMessage?> GetAsync(Guid id, CancellationToken ct)
    {
        var message = await unitOfWork.Connection.QuerySingleOrDefaultAsync<EmailMessage>(unitOfWork.Command(
            $"select {Columns} from email.email_jobs j where j.tenant_id = email.current_tenant() and j.id = @id", new { id }, ct));
        if (message is null)
            return null;
        var events = await unitOfWork.Connection.QueryAsync<EmailMessageEvent>(unitOfWork.Command("""
            select id, type, bot, url, occurred_at from email.events
             where tenant_id = email.current_tenant() and message_id = @id order by occurred_at, id
            """, new { id }, ct));
        return message with { Events = events.ToList() };
    }

    public async Task<Page<EmailMessage>> ListAsync(Filter filter, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder($"""
            select {Columns} from email.email_jobs j
             where j.tenant_id = email.current_tenant()
               and (@status::text is null or j.status = @status)
               and (@contactId::uuid is null or j.contact_id = @contactId)
               and (@campaignId::uuid is null or j.campaign_id = @campaignId)
               and (@since::timestamptz is null or j.created_at >= @since)
            """);
        var args = new DynamicParameters(new { status = filter.Status, contactId = filter.ContactId, campaignId = filter.CampaignId, since = filter.Since });
        Keyset.Append(sql, args, page, "j.created_at", "j.id");
        var rows = (await unitOfWork.Connection.QueryAsync<EmailMessage>(unitOfWork.Command(sql.ToString(), args, ct))).ToList();
        return Keyset.Page(rows, page, m => (m.CreatedAt, m.Id));
    }

    /// <summary>
    /// Whether the email queued under <paramref name="id"/> was asked for with the same content as <paramref name="job"/>, whose
    /// recipient is as the request gave it (<c>ContactId</c> and/or <c>ToEmail</c>, empty when not given): the same contact and
    /// address where given (a contact's current address is not compared, it may have changed), category, template (its version
    /// only when the request named one) or inline content, merge data, sender, reply-to and dry run.
    /// </summary>
    public Task<bool> SameContentAsync(Guid id, NewEmailJob job, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteScalarAsync<bool>(unitOfWork.Command("""
            select (@ContactId::uuid is null or j.contact_id = @ContactId)
               and (@ToEmail = '' or lower(j.to_email) = lower(@ToEmail))
               and j.category = @Category and j.template_id is not distinct from @TemplateId
               and (@TemplateVersion::integer is null or j.template_version = @TemplateVersion) and j.subject is not distinct from @Subject
               and j.html is not distinct from @Html and j.text is not distinct from @Text
               and coalesce(j.merge_data, '{}'::jsonb) = coalesce(@MergeData::jsonb, '{}'::jsonb)
               and j.from_email is not distinct from @FromEmail and j.reply_to is not distinct from @ReplyTo and j.dry_run = @DryRun
              from email.email_jobs j where j.tenant_id = email.current_tenant() and j.id = @Id
            """, new
        {
            Id = id, job.ContactId, job.ToEmail, job.Category, job.TemplateId, job.TemplateVersion, job.Subject, job.Html, job.Text,
            MergeData = job.MergeData is null ? null : JsonSerializer.Serialize(job.MergeData), job.FromEmail, job.ReplyTo, job.DryRun,
        }, ct));

    /// <summary>
    /// Records a send that was refused before it was queued (a command for an unknown contact, a template that does not render)
    /// as a failed email under its idempotency key, so that the same command again is recognised and changes nothing. Returns the
    /// id holding the key and whether this call recorded it.
    /// </summary>
    public async Task<(Guid Id, bool Created)> RecordRefusedAsync(NewEmailJob job, string errorCode, string error, CancellationToken ct)
    {
        var created = await unitOfWork.Connection.ExecuteScalarAsync<Guid?>(unitOfWork.Command("""
            insert into email.email_jobs (tenant_id, id, lane, contact_id, to_email, category, status, template_id, template_version, subject,
              html, text, merge_data, from_email, reply_to, idempotency_key, requested_by, correlation_id, dry_run, error_code, error)
            values (email.current_tenant(), @Id, 0, @ContactId, @ToEmail, @Category, 'failed', @TemplateId, @TemplateVersion, @Subject,
              @Html, @Text, @MergeData::jsonb, @FromEmail, @ReplyTo, @IdempotencyKey, @RequestedBy, @CorrelationId, @DryRun, @ErrorCode, @Error)
            on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
            returning id
            """, new
        {
            job.Id, job.ContactId, job.ToEmail, job.Category, job.TemplateId, job.TemplateVersion, job.Subject, job.Html, job.Text,
            MergeData = job.MergeData is null ? null : JsonSerializer.Serialize(job.MergeData), job.FromEmail, job.ReplyTo, job.IdempotencyKey,
            job.RequestedBy, job.CorrelationId, job.DryRun, ErrorCode = errorCode, Error = error,
        }, ct));
        if (created is { } id)
            return (id, true);
        return (await IdOfKeyAsync(job.IdempotencyKey!, ct) ?? throw new InvalidOperationException("The idempotency key's email vanished."), false);
    }

    public Task<Guid?> IdOfKeyAsync(string idempotencyKey, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteScalarAsync<Guid?>(unitOfWork.Command(
            "select id from email.email_jobs where tenant_id = email.current_tenant() and idempotency_key = @idempotencyKey", new { idempotencyKey }, ct));

    /// <summary>The template's content at <paramref name="version"/> (its current version when null); null when either does not exist.</summary>
    public Task<TemplateContent?> TemplateAsync(Guid templateId, int? version, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<TemplateContent>(unitOfWork.Command("""
            select t.id as template_id, coalesce(v.version, t.version) as version, coalesce(v.subject, t.subject) as subject,
                   coalesce(v.html, t.html) as html, case when v.version is null then t.text else v.text end as text, t.archived
              from email.templates t
              left join email.template_versions v on v.tenant_id = t.tenant_id and v.template_id = t.id and v.version = coalesce(@version, t.version)
             where t.tenant_id = email.current_tenant() and t.id = @templateId and (@version::integer is null or v.version is not null)
            """, new { templateId, version }, ct));
}
