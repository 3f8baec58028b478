using Dapper;
using GrowthOps.Leads.Domain;
using GrowthOps.Leads.Integrations.HubSpot;
using GrowthOps.Persistence;
using Npgsql;

namespace GrowthOps.Leads.Data;

/// <summary>
/// HubSpot integration data. Everything runs inside the tenant's unit of work (row-level security) except
/// <see cref="FindTenantAsync"/>: a webhook is anonymous, so its portal is routed to a tenant through
/// <c>leads.hubspot_portals</c>, which has no tenant data and no row-level security, before any tenant is known.
/// </summary>
public sealed class HubSpotStore(NpgsqlDataSource dataSource, UnitOfWork unitOfWork)
{
    public sealed class Integration
    {
        public byte[] ClientSecretEncrypted { get; set; } = [];
        public string? AppId { get; set; }
        public long[] PortalIds { get; set; } = [];
        public DateTime Created { get; set; }
        public DateTime Updated { get; set; }
    }

    /// <summary>What is known of a HubSpot deal: the previous stage of the next stage change, its amount and contact.</summary>
    public sealed class Deal
    {
        public long DealId { get; set; }
        public long PortalId { get; set; }
        public string? Stage { get; set; }
        public DateTime? StageAt { get; set; }
        public decimal? Amount { get; set; }
        public DateTime? AmountAt { get; set; }
        public long? HubspotContactId { get; set; }
        public Guid? ContactId { get; set; }
        public string? Name { get; set; }
        public DateTime? NameAt { get; set; }
        public DateTime? CloseDate { get; set; }
        public DateTime? CloseDateAt { get; set; }
    }

    /// <summary>The tenant a portal routes to; read outside any tenant transaction (the table has no row-level security).</summary>
    public async Task<Guid?> FindTenantAsync(long portalId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            "select tenant_id from leads.hubspot_portals where portal_id = @portalId", new { portalId }, cancellationToken: ct));
    }

    public async Task<Integration?> GetIntegrationAsync(CancellationToken ct)
    {
        var integration = await unitOfWork.Connection.QuerySingleOrDefaultAsync<Integration>(unitOfWork.Command(
            "select client_secret_encrypted, app_id, created, updated from leads.hubspot_integrations", null, ct));
        if (integration is not null)
            integration.PortalIds = (await unitOfWork.Connection.QueryAsync<long>(unitOfWork.Command(
                "select portal_id from leads.hubspot_portals where tenant_id = leads.current_tenant() order by portal_id", null, ct))).ToArray();
        return integration;
    }

    public Task<byte[]?> GetClientSecretAsync(CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<byte[]?>(unitOfWork.Command("select client_secret_encrypted from leads.hubspot_integrations", null, ct));

    /// <summary>Creates or replaces the integration; a null secret keeps the stored one (the secret is write-only, clients cannot send it back).</summary>
    public Task SaveIntegrationAsync(byte[]? clientSecretEncrypted, string? appId, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(clientSecretEncrypted is null
            ? "update leads.hubspot_integrations set app_id = @appId, updated = now()"
            : """
              insert into leads.hubspot_integrations (tenant_id, client_secret_encrypted, app_id) values (leads.current_tenant(), @clientSecretEncrypted, @appId)
              on conflict (tenant_id) do update set client_secret_encrypted = excluded.client_secret_encrypted, app_id = excluded.app_id, updated = now()
              """, new { clientSecretEncrypted, appId }, ct));

    /// <summary>
    /// Makes <paramref name="portalIds"/> exactly the tenant's portals. Returns the ones another tenant holds (nothing of
    /// theirs is changed; the caller fails the transaction). A concurrent claim of the same portal waits on its key and
    /// then sees the winner.
    /// </summary>
    public async Task<long[]> ClaimPortalsAsync(long[] portalIds, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.hubspot_portals (portal_id, tenant_id) select p, leads.current_tenant() from unnest(@portalIds) p
            on conflict (portal_id) do nothing
            """, new { portalIds }, ct));
        var taken = (await unitOfWork.Connection.QueryAsync<long>(unitOfWork.Command("""
            select portal_id from leads.hubspot_portals
            where portal_id = any(@portalIds) and tenant_id is distinct from leads.current_tenant() order by portal_id
            """, new { portalIds }, ct))).ToArray();
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "delete from leads.hubspot_portals where tenant_id = leads.current_tenant() and portal_id <> all(@portalIds)", new { portalIds }, ct));
        return taken;
    }

    public async Task<bool> DeleteIntegrationAsync(CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from leads.hubspot_portals where tenant_id = leads.current_tenant()", null, ct));
        return await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from leads.hubspot_integrations", null, ct)) == 1;
    }

    /// <summary>Records an event id; false when it was already recorded (a HubSpot retry), including by a concurrent delivery that committed first.</summary>
    public async Task<bool> TryRecordEventAsync(HubSpotEvent e, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.hubspot_events (tenant_id, event_id, portal_id, subscription_type, object_id)
            values (leads.current_tenant(), @EventId, @PortalId, @SubscriptionType, @ObjectId)
            on conflict do nothing
            """, new { e.EventId, e.PortalId, e.SubscriptionType, e.ObjectId }, ct)) == 1;

    /// <summary>Forgets event ids older than HubSpot's retry window, a bounded batch at a time so a delivery stays quick.</summary>
    public Task<int> ForgetEventsAsync(TimeSpan olderThan, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            delete from leads.hubspot_events where ctid = any(array(
              select ctid from leads.hubspot_events where received_at < now() - @olderThan limit 500))
            """, new { olderThan }, ct));

    public Task<Guid?> FindContactAsync(long hubspotContactId, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<Guid?>(unitOfWork.Command(
            "select contact_id from leads.hubspot_contacts where hubspot_contact_id = @hubspotContactId", new { hubspotContactId }, ct));

    public Task LinkContactAsync(long hubspotContactId, Guid contactId, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.hubspot_contacts (tenant_id, hubspot_contact_id, contact_id) values (leads.current_tenant(), @hubspotContactId, @contactId)
            on conflict (tenant_id, hubspot_contact_id) do update set contact_id = excluded.contact_id
            """, new { hubspotContactId, contactId }, ct));

    /// <summary>The deal's row, created empty when new, locked until the transaction ends (concurrent deliveries for one deal take turns).</summary>
    public async Task<Deal> LockDealAsync(long dealId, long portalId, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.hubspot_deals (tenant_id, deal_id, portal_id) values (leads.current_tenant(), @dealId, @portalId)
            on conflict do nothing
            """, new { dealId, portalId }, ct));
        return await unitOfWork.Connection.QuerySingleAsync<Deal>(unitOfWork.Command("""
            select deal_id, portal_id, stage, stage_at, amount, amount_at, hubspot_contact_id, contact_id, name, name_at, close_date::timestamp as close_date, close_date_at
            from leads.hubspot_deals where deal_id = @dealId for update
            """, new { dealId }, ct));
    }

    public Task SaveDealAsync(Deal deal, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update leads.hubspot_deals set portal_id = @PortalId, stage = @Stage, stage_at = @StageAt, amount = @Amount, amount_at = @AmountAt,
              hubspot_contact_id = @HubspotContactId, contact_id = @ContactId, name = @Name, name_at = @NameAt, close_date = @CloseDate::date,
              close_date_at = @CloseDateAt, updated = now()
            where deal_id = @DealId
            """, deal, ct));
}
