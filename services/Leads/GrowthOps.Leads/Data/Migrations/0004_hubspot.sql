-- HubSpot webhooks: the tenant's integration (encrypted client secret), which portals route to which tenant, processed
-- event ids (HubSpot retries), the HubSpot contact → contact link and the last known state of each deal.

-- Routing only: a webhook is anonymous, so its portal must map to a tenant before any tenant is known. Deliberately
-- WITHOUT row-level security (it holds no tenant data, only the mapping); every write names leads.current_tenant()
-- explicitly, so a tenant can only claim, keep or release portals for itself.
create table leads.hubspot_portals (
  portal_id bigint      primary key,
  tenant_id uuid        not null,
  created   timestamptz not null default now()
);
create index ix_hubspot_portals_tenant on leads.hubspot_portals (tenant_id);

create table leads.hubspot_integrations (
  tenant_id               uuid        primary key,
  client_secret_encrypted bytea       not null,
  app_id                  text,
  created                 timestamptz not null default now(),
  updated                 timestamptz not null default now()
);
alter table leads.hubspot_integrations enable row level security;
alter table leads.hubspot_integrations force row level security;
create policy tenant_isolation on leads.hubspot_integrations
  using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

-- One row per processed HubSpot eventId: a redelivered event inserts nothing and is skipped.
create table leads.hubspot_events (
  tenant_id         uuid        not null,
  event_id          bigint      not null,
  portal_id         bigint      not null,
  subscription_type text        not null,
  object_id         bigint,
  received_at       timestamptz not null default now(),
  primary key (tenant_id, event_id)
);
create index ix_hubspot_events_received on leads.hubspot_events (tenant_id, received_at);
alter table leads.hubspot_events enable row level security;
alter table leads.hubspot_events force row level security;
create policy tenant_isolation on leads.hubspot_events
  using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

-- HubSpot contact id → contact. The id is also kept in the contact's attributes (hubspot_contact_id) for clients, but
-- looked up here: under FORCE ROW LEVEL SECURITY, PostgreSQL will not use an index on attributes->>'hubspot_contact_id'
-- (jsonb ->> is not leakproof, so it is evaluated only after the tenant filter, over every contact of the tenant);
-- bigint equality is leakproof, so this primary key serves the lookup.
create table leads.hubspot_contacts (
  tenant_id          uuid        not null,
  hubspot_contact_id bigint      not null,
  contact_id         uuid        not null,
  created            timestamptz not null default now(),
  primary key (tenant_id, hubspot_contact_id),
  foreign key (tenant_id, contact_id) references leads.contacts (tenant_id, id) on delete cascade
);
create index ix_hubspot_contacts_contact on leads.hubspot_contacts (tenant_id, contact_id);
alter table leads.hubspot_contacts enable row level security;
alter table leads.hubspot_contacts force row level security;
create policy tenant_isolation on leads.hubspot_contacts
  using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

-- The last stage and amount seen per deal: the "from" of the next DealStageChanged. *_at hold HubSpot's occurredAt of the
-- value stored, so an older event delivered late (HubSpot does not order deliveries) does not overwrite a newer value.
create table leads.hubspot_deals (
  tenant_id          uuid        not null,
  deal_id            bigint      not null,
  portal_id          bigint      not null,
  stage              text,
  stage_at           timestamptz,
  amount             numeric,
  amount_at          timestamptz,
  hubspot_contact_id bigint,
  contact_id         uuid,
  created            timestamptz not null default now(),
  updated            timestamptz not null default now(),
  primary key (tenant_id, deal_id),
  foreign key (tenant_id, contact_id) references leads.contacts (tenant_id, id) on delete set null (contact_id)
);
alter table leads.hubspot_deals enable row level security;
alter table leads.hubspot_deals force row level security;
create policy tenant_isolation on leads.hubspot_deals
  using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());
