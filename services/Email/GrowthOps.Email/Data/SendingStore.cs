using Dapper;
using GrowthOps.Persistence;
using Npgsql;
using static GrowthOps.Persistence.SqlParameters;

namespace GrowthOps.Email.Data;

/// <summary>The pipeline's statements: find a tenant with due email, claim a batch of it, record what became of each email.</summary>
public sealed class SendingStore(NpgsqlDataSource dataSource, UnitOfWork unitOfWork)
{
    /// <summary>The tenant of the oldest due email of the lane nobody holds (a short statement of its own, no tenant).</summary>
    public async Task<Guid?> NextDueTenantAsync(short lane, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select email.next_due_tenant($1)");
        command.Parameters.Add(Of(lane));
        return await command.ExecuteScalarAsync(ct) as Guid?;
    }

    /// <summary>
    /// Locks up to <paramref name="limit"/> due emails of the current tenant's lane (SKIP LOCKED: replicas take different
    /// ones) in the current transaction, with their recipients, campaigns and gates. Campaign emails only while the campaign
    /// is sending; a paused or cancelled campaign's emails stay where they are.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedEmail>> ClaimAsync(short lane, int limit, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<ClaimedEmail>(unitOfWork.Command("""
            with due as materialized (
              select j.* from email.email_jobs j
               where j.tenant_id = email.current_tenant() and j.lane = @lane and j.status = 'queued' and j.not_before <= now()
                 and (j.campaign_id is null or exists (select 1 from email.campaigns c
                      where c.tenant_id = j.tenant_id and c.id = j.campaign_id and c.status = 'sending'))
               -- In the index's order (tenant, lane, not_before), so the scan stops at the limit: a tie-break on id would sort
               -- every due row of a 100k broadcast (all due at the same instant) for each batch.
               order by j.not_before
               limit @limit
               for update of j skip locked)
            select d.id, d.lane, d.campaign_id, d.contact_id, d.to_email, d.category, d.attempts, d.dry_run, d.idempotency_key,
                   d.correlation_id, coalesce(d.template_id, c.template_id) as template_id,
                   coalesce(d.template_version, case when d.template_id is null then c.template_version end) as template_version,
                   coalesce(d.subject, c.subject) as subject, d.html, d.text, d.merge_data::text as merge_data,
                   coalesce(d.from_email, c.from_email) as from_email, c.from_name, coalesce(d.reply_to, c.reply_to) as reply_to,
                   c.name as campaign_name,
                   (d.category <> 'strictly_transactional' and s.email is not null) as suppressed,
                   (d.category = 'marketing' and d.contact_id is not null and not coalesce(r.marketing_consent and not r.deleted, false)) as no_consent,
                   r.email as recipient_email, r.first_name, r.last_name, r.company, r.phone, r.timezone, r.marketing_consent,
                   r.attributes::text as attributes
              from due d
              left join email.campaigns c on c.tenant_id = d.tenant_id and c.id = d.campaign_id
              left join email.recipients r on r.tenant_id = d.tenant_id and r.contact_id = d.contact_id
              left join email.suppressions s on s.tenant_id = d.tenant_id and s.email = lower(d.to_email)
            """, new { lane, limit }, ct))).AsList();

    /// <summary>The subject and bodies of template versions (a version of null: the template's current one).</summary>
    public async Task<IReadOnlyDictionary<(Guid, int?), TemplateContent>> TemplatesAsync(IEnumerable<(Guid Id, int? Version)> wanted, CancellationToken ct)
    {
        var list = wanted.Distinct().ToList();
        var result = new Dictionary<(Guid, int?), TemplateContent>();
        if (list.Count == 0)
            return result;
        var rows = await unitOfWork.Connection.QueryAsync<(Guid TemplateId, int? Asked, int Version, string Subject, string Html, string? Text, bool Archived)>(unitOfWork.Command("""
            select w.template_id, w.asked, v.version, v.subject, v.html, v.text, t.archived
              from unnest(@ids, @versions) as w(template_id, asked)
              join email.templates t on t.tenant_id = email.current_tenant() and t.id = w.template_id
              join email.template_versions v on v.tenant_id = t.tenant_id and v.template_id = t.id and v.version = coalesce(w.asked, t.version)
            """, new { ids = list.Select(w => w.Id).ToArray(), versions = list.Select(w => w.Version).ToArray() }, ct));
        foreach (var r in rows)
            result[(r.TemplateId, r.Asked)] = new TemplateContent(r.TemplateId, r.Version, r.Subject, r.Html, r.Text, r.Archived);
        return result;
    }

    /// <summary>Records every email's outcome of a batch in one statement (in the claim's transaction).</summary>
    public async Task RecordAsync(IReadOnlyList<SendResult> results, CancellationToken ct)
    {
        if (results.Count == 0)
            return;
        await using var batch = new NpgsqlBatch(unitOfWork.Connection, unitOfWork.Transaction)
        {
            BatchCommands =
            {
                Command("""
                    update email.email_jobs j set
                      status = r.status, provider = coalesce(r.provider, j.provider), provider_message_id = r.provider_message_id,
                      error_code = r.error_code, error = r.error, attempts = j.attempts + r.attempted::int,
                      not_before = coalesce(r.retry_at, j.not_before),
                      sent_at = case when r.status in ('sent', 'dry_run') then now() else j.sent_at end, updated_at = now()
                      from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::boolean[])
                           as r(id, status, provider, provider_message_id, error_code, error, retry_at, attempted)
                     where j.tenant_id = email.current_tenant() and j.id = r.id
                    """,
                    results.Select(r => r.Id).ToArray(), results.Select(r => r.Status).ToArray(), results.Select(r => r.Provider).ToArray(),
                    results.Select(r => r.ProviderMessageId).ToArray(), results.Select(r => r.ErrorCode).ToArray(),
                    results.Select(r => r.Error).ToArray(), results.Select(r => r.RetryAt?.UtcDateTime).ToArray(),
                    results.Select(r => r.Attempted).ToArray()),
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>
/// What became of one claimed email: <see cref="Status"/> <c>sent</c>, <c>dry_run</c>, <c>failed</c>, <c>suppressed</c>, or
/// <c>queued</c> again with <see cref="RetryAt"/>. <see cref="Attempted"/>: a provider was asked (counts as an attempt).
/// </summary>
public sealed record SendResult(Guid Id, string Status, string? Provider, string? ProviderMessageId, string? ErrorCode, string? Error,
    DateTimeOffset? RetryAt, bool Attempted);
