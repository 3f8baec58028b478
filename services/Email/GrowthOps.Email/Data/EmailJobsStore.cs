using System.Text.Json;
using GrowthOps.Persistence;
using Npgsql;
using static GrowthOps.Persistence.SqlParameters;

namespace GrowthOps.Email.Data;

/// <summary>Queues emails outside campaigns (lane 0, ahead of every broadcast) in the current unit of work.</summary>
public sealed class EmailJobsStore(UnitOfWork unitOfWork)
{
    /// <summary>
    /// Queues the email unless its idempotency key was used before; returns the id of the email that holds the key (the new
    /// one, or the one queued before — whatever its content was).
    /// </summary>
    public async Task<(Guid Id, bool Created)> EnqueueAsync(NewEmailJob job, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(unitOfWork.Connection, unitOfWork.Transaction)
        {
            BatchCommands =
            {
                Command("""
                    insert into email.email_jobs (tenant_id, id, lane, contact_id, to_email, category, not_before, template_id, template_version,
                      subject, html, text, merge_data, from_email, reply_to, idempotency_key, requested_by, correlation_id, dry_run)
                    values (email.current_tenant(), $1, 0, $2, $3, $4, coalesce($5, now()), $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15, $16, $17)
                    on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
                    returning id
                    """, job.Id, job.ContactId, job.ToEmail, job.Category, job.NotBefore, job.TemplateId, job.TemplateVersion, job.Subject,
                    job.Html, job.Text, job.MergeData is null ? null : JsonSerializer.Serialize(job.MergeData), job.FromEmail, job.ReplyTo,
                    job.IdempotencyKey, job.RequestedBy, job.CorrelationId, job.DryRun),
            },
        };
        var created = await batch.ExecuteScalarAsync(ct);
        if (created is Guid id)
            return (id, true);
        await using var existing = new NpgsqlCommand(
            "select id from email.email_jobs where tenant_id = email.current_tenant() and idempotency_key = $1", unitOfWork.Connection, unitOfWork.Transaction)
        {
            Parameters = { Of(job.IdempotencyKey) },
        };
        return ((Guid)(await existing.ExecuteScalarAsync(ct))!, false);
    }
}
