alter table testhost.order_state add column tenant_id uuid not null;
alter table testhost.order_state enable row level security;
alter table testhost.order_state force row level security;
create policy tenant_isolation on testhost.order_state
  using (tenant_id = testhost.current_tenant()) with check (tenant_id = testhost.current_tenant());
