-- The lifecycle saga's rows carry their tenant and live under row-level security like every tenant table.
alter table leads.lead_lifecycle_state add column tenant_id uuid;
update leads.lead_lifecycle_state set tenant_id = (data ->> 'tenantId')::uuid;
alter table leads.lead_lifecycle_state alter column tenant_id set not null;
alter table leads.lead_lifecycle_state enable row level security;
alter table leads.lead_lifecycle_state force row level security;
create policy tenant_isolation on leads.lead_lifecycle_state
  using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());
