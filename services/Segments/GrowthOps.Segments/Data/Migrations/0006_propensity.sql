-- Predictive segments: a per-tenant propensity model (logistic regression of won against lost over engagement features of
-- the read model) and its prediction for every contact, `predicted_conversion` (0–100), which criteria read as a column so
-- that the SQL and the in-memory back ends see the same number. Null while the tenant has no trained model.
alter table segments.contacts add column predicted_conversion numeric(5,2) check (predicted_conversion between 0 and 100);
create index ix_contacts_predicted_conversion on segments.contacts (tenant_id, predicted_conversion);

-- The tenant's last training. `weights` apply to the raw features (intercept first, then one per name of `features`), as
-- Domain/Predictive/PropensityFeatures.cs computes them in SQL; null when there was not enough history to fit.
create table segments.propensity_models (
  tenant_id         uuid             not null primary key,
  status            text             not null check (status in ('trained', 'insufficient_history')),
  features          text[]           not null default '{}',
  weights           double precision[],
  won               integer          not null,
  lost              integer          not null,
  training_contacts integer          not null,
  held_out_contacts integer          not null,
  auc               double precision,
  reason            text             not null,
  trained_at        timestamptz      not null default now()
);
alter table segments.propensity_models enable row level security;
alter table segments.propensity_models force row level security;
create policy tenant_isolation on segments.propensity_models using (tenant_id = segments.current_tenant()) with check (tenant_id = segments.current_tenant());

-- The daily retraining runs for no tenant and fans out to those with won or lost contacts: inside this function (and only
-- there) the tenant ids of the read model may be read; nothing else of any tenant leaves it.
create policy propensity_tenant_listing on segments.contacts for select using (current_setting('app.propensity_tenant_listing', true) = 'on');

create function segments.list_tenants_with_outcomes() returns setof uuid language plpgsql as $$
begin
  perform set_config('app.propensity_tenant_listing', 'on', true);
  return query select distinct c.tenant_id from segments.contacts c
                where not c.deleted and lower(c.lead_state) in ('won', 'lost') order by c.tenant_id;
  perform set_config('app.propensity_tenant_listing', '', true);
end $$;
