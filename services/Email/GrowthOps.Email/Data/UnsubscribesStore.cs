using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Email.Data;

/// <summary>Unsubscribes from an email's link, once per email, in the current unit of work (the tenant of the link's token).</summary>
public sealed class UnsubscribesStore(UnitOfWork unitOfWork)
{
    public sealed record Sent(Guid? ContactId, Guid? CampaignId);

    /// <summary>The contact and campaign of the email, when it exists.</summary>
    public Task<Sent?> MessageAsync(Guid messageId, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<Sent>(unitOfWork.Command(
            "select contact_id, campaign_id from email.email_jobs where tenant_id = email.current_tenant() and id = @messageId", new { messageId }, ct));

    /// <summary>
    /// Records the unsubscribe as the email's <c>unsubscribed</c> event unless one is recorded already; returns whether this call
    /// recorded it (so only the first of any number of clicks or one-click POSTs is announced).
    /// </summary>
    public async Task<bool> RecordAsync(Guid messageId, Sent? sent, string source, DateTimeOffset at, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into email.events (tenant_id, id, message_id, campaign_id, contact_id, type, dedup_key, details, occurred_at)
            values (email.current_tenant(), @id, @messageId, @campaignId, @contactId, 'unsubscribed', @dedupKey,
                    jsonb_build_object('source', @source::text), @at)
            on conflict (tenant_id, dedup_key) do nothing
            """, new
        {
            id = Guid.CreateVersion7(), messageId, campaignId = sent?.CampaignId, contactId = sent?.ContactId, dedupKey = $"unsubscribe:{messageId}",
            source, at = at.UtcDateTime,
        }, ct)) > 0;
}
