using System.Text.Json;
using GrowthOps.Persistence;
using Npgsql;
using static GrowthOps.Persistence.SqlParameters;

namespace GrowthOps.Email.Data;

/// <summary>What happened to sent emails (<c>email.events</c>) and the sent emails they belong to, in the current unit of work.</summary>
public sealed class EmailEventsStore(UnitOfWork unitOfWork)
{
    const string Columns = "id, contact_id, campaign_id, to_email, sent_at";

    /// <summary>
    /// The email by its id, locked (no key update) until commit: events of one message are recorded one after the other, so
    /// exactly one of two simultaneous opens is the first.
    /// </summary>
    public Task<TrackedMessage?> FindAsync(Guid messageId, CancellationToken ct) => SingleAsync(
        $"select {Columns} from email.email_jobs where tenant_id = email.current_tenant() and id = $1 for no key update", ct, messageId);

    public Task<TrackedMessage?> FindByProviderIdAsync(string providerMessageId, CancellationToken ct) => SingleAsync(
        $"select {Columns} from email.email_jobs where tenant_id = email.current_tenant() and provider_message_id = $1 for no key update", ct,
        providerMessageId);

    /// <summary>The newest email named by any of <paramref name="ids"/>, as our id or as the provider's.</summary>
    public Task<TrackedMessage?> FindAnyAsync(Guid[] ids, CancellationToken ct) => SingleAsync($"""
        select {Columns} from email.email_jobs
        where tenant_id = email.current_tenant() and (id = any($1) or provider_message_id = any($2))
        order by sent_at desc nulls last limit 1 for no key update
        """, ct, ids, ids.Select(i => i.ToString()).ToArray());

    /// <summary>The latest email sent to the address.</summary>
    public Task<TrackedMessage?> FindLatestSentToAsync(string email, CancellationToken ct) => SingleAsync($"""
        select {Columns} from email.email_jobs
        where tenant_id = email.current_tenant() and lower(to_email) = lower($1) and sent_at is not null
        order by sent_at desc limit 1 for no key update
        """, ct, email.Trim());

    /// <summary>
    /// Records the event unless its dedup key was recorded before. Returns null for a repeat, else whether it is the first
    /// event of its type for the message that is not a bot's (always false for a bot's).
    /// </summary>
    public async Task<bool?> RecordAsync(EmailEvent e, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            with prior as (
              select exists (select 1 from email.events where tenant_id = email.current_tenant() and message_id = $2 and type = $5 and not bot) as human)
            insert into email.events (tenant_id, id, message_id, campaign_id, contact_id, type, bot, url, dedup_key, details, occurred_at)
            values (email.current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)
            on conflict (tenant_id, dedup_key) do nothing
            returning (select not human from prior)
            """, unitOfWork.Connection, unitOfWork.Transaction)
        {
            Parameters =
            {
                Of(Guid.CreateVersion7()), Of(e.Message.Id), Of(e.Message.CampaignId), Of(e.Message.ContactId), Of(e.Type), Of(e.Bot), Of(e.Url),
                Of(e.DedupKey), Of(e.Details is null ? null : JsonSerializer.Serialize(e.Details)), Of(e.OccurredAt),
            },
        };
        var result = await command.ExecuteScalarAsync(ct);
        return result is bool noHumanBefore ? noHumanBefore && !e.Bot : null;
    }

    async Task<TrackedMessage?> SingleAsync(string sql, CancellationToken ct, params object?[] values)
    {
        await using var command = new NpgsqlCommand(sql, unitOfWork.Connection, unitOfWork.Transaction);
        foreach (var value in values)
            command.Parameters.Add(Of(value));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            return null;
        return new TrackedMessage(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetGuid(2),
            reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetDateTime(4));
    }
}
