-- A tenant's lead states and transitions carry a version: every change to either bumps it in the same transaction, so a
-- process may cache them and revalidate with the version it reads together with the contact (see LeadConfigCache).
alter table leads.tenants add column config_version bigint not null default 0;

create function leads.bump_config_version() returns trigger language plpgsql as $$
begin
  update leads.tenants set config_version = config_version + 1
  where tenant_id = (case when tg_op = 'DELETE' then old.tenant_id else new.tenant_id end);
  if tg_op = 'UPDATE' and old.tenant_id <> new.tenant_id then
    update leads.tenants set config_version = config_version + 1 where tenant_id = old.tenant_id;
  end if;
  return null;
end $$;

create trigger lead_states_config_version after insert or update or delete on leads.lead_states
  for each row execute function leads.bump_config_version();
create trigger lead_transitions_config_version after insert or update or delete on leads.lead_transitions
  for each row execute function leads.bump_config_version();
