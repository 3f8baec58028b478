using System.Text.Json;
using Dapper;
using GrowthOps.Contracts.Leads;
using GrowthOps.Persistence;

namespace GrowthOps.Cortex.Data;

/// <summary>
/// Cortex's copy of the contacts (from Leads' contact events, the highest version wins) and of their recent activities: what
/// conditions, trigger filters and templates read. No call to Leads on the way.
/// </summary>
public sealed class ContactsStore(UnitOfWork unitOfWork)
{
    public const int ActivityRetentionDays = 90;

    /// <summary>snake_case, as templates name the fields (<c>{{contact.first_name}}</c>); attribute keys as they are.</summary>
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public Task ApplyAsync(ContactSnapshot contact, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.contacts (tenant_id, id, version, snapshot, updated_at) values (cortex.current_tenant(), @id, @version, @snapshot::jsonb, now())
            on conflict (tenant_id, id) do update set version = excluded.version, snapshot = excluded.snapshot, deleted = false, updated_at = now()
             where cortex.contacts.version <= excluded.version
            """, new { id = contact.Id, version = contact.Version, snapshot = JsonSerializer.Serialize(contact, Json) }, ct));

    public Task DeleteAsync(Guid id, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("update cortex.contacts set deleted = true, updated_at = now() where id = @id", new { id }, ct));

    public async Task<ContactSnapshot?> GetAsync(Guid id, CancellationToken ct) =>
        await unitOfWork.Connection.QuerySingleOrDefaultAsync<string>(unitOfWork.Command(
            "select snapshot::text from cortex.contacts where id = @id and not deleted", new { id }, ct)) is { } json
            ? JsonSerializer.Deserialize<ContactSnapshot>(json, Json)
            : null;

    /// <summary>The live contact with this email address (case-insensitive), if Cortex knows one.</summary>
    public Task<Guid?> IdByEmailAsync(string email, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<Guid?>(unitOfWork.Command("""
            select id from cortex.contacts where lower(snapshot->>'email') = lower(@email) and not deleted order by updated_at desc limit 1
            """, new { email }, ct));

    public Task RecordActivityAsync(Guid id, Guid contactId, string type, IReadOnlyDictionary<string, JsonElement>? metadata, DateTimeOffset at,
        CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.activities (tenant_id, id, contact_id, type, metadata, occurred_at)
            values (cortex.current_tenant(), @id, @contactId, @type, @metadata::jsonb, @at) on conflict do nothing
            """, new { id, contactId, type, metadata = metadata is null ? null : JsonSerializer.Serialize(metadata), at }, ct));

    public sealed record Activity(Guid Id, string Type, DateTime OccurredAt, string? Metadata);

    public async Task<IReadOnlyList<Activity>> ActivitiesAsync(Guid contactId, DateTimeOffset since, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Activity>(unitOfWork.Command("""
            select id, type, occurred_at, metadata::text as metadata from cortex.activities
             where contact_id = @contactId and occurred_at >= @since order by occurred_at desc limit 5000
            """, new { contactId, since }, ct))).ToList();

    /// <summary>Hours of the day (UTC) at which the contact, or failing that the tenant, opened email, most frequent first.</summary>
    public async Task<int?> BestOpenHourAsync(Guid? contactId, string timezone, CancellationToken ct) =>
        await unitOfWork.Connection.QuerySingleOrDefaultAsync<int?>(unitOfWork.Command("""
            select extract(hour from occurred_at at time zone @timezone)::int from cortex.activities
             where type = 'email.opened' and (@contactId::uuid is null or contact_id = @contactId)
             group by 1 order by count(*) desc, 1 limit 1
            """, new { contactId, timezone }, ct));

    public Task<int> PruneActivitiesAsync(DateTimeOffset before, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from cortex.activities where occurred_at < @before", new { before }, ct));
}
