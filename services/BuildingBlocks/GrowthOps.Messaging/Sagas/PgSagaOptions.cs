namespace GrowthOps.Messaging.Sagas;

/// <summary>
/// Where a saga's instances live. The table belongs in the service's migrations, under row-level security like every tenant
/// table (the saga's messages carry the tenant):
/// <code>
/// create table leads.lead_lifecycle_state (
///   tenant_id uuid not null, correlation_id uuid primary key, current_state text, version integer not null,
///   data jsonb not null, created timestamptz not null default now(), updated timestamptz not null default now());
/// alter table leads.lead_lifecycle_state enable row level security;
/// alter table leads.lead_lifecycle_state force row level security;
/// create policy tenant_isolation on leads.lead_lifecycle_state
///   using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());
/// </code>
/// </summary>
public sealed class PgSagaOptions<TSaga>
{
    /// <summary>Schema-qualified table name.</summary>
    public required string Table { get; init; }

    /// <summary>
    /// Pessimistic (default) locks the row with <c>FOR UPDATE</c> for the message's transaction, so concurrent events for one
    /// instance queue up and all apply. Optimistic checks the version on update and relies on retries; hot instances suffer.
    /// </summary>
    public bool Optimistic { get; init; }
}
