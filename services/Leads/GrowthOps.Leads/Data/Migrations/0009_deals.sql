-- Deals: per-tenant pipelines of ordered stages (each with a win probability and closed-won / closed-lost flags), deals in
-- them with their contacts, and every stage change with the time spent in the stage it left. Amounts are integers of the
-- currency's minor unit (ISO 4217), so sums never round.

create table leads.pipelines (
  tenant_id   uuid        not null,
  id          uuid        not null,
  name        text        not null,
  is_default  boolean     not null default false,
  created_at  timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, name)
);
create unique index ux_pipelines_default on leads.pipelines (tenant_id) where is_default;
alter table leads.pipelines enable row level security;
alter table leads.pipelines force row level security;
create policy tenant_isolation on leads.pipelines using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

create table leads.pipeline_stages (
  tenant_id    uuid          not null,
  pipeline_id  uuid          not null,
  id           uuid          not null,
  -- The stage's key in its pipeline: what APIs and HubSpot's dealstage values name (appointmentscheduled, closedwon…).
  key          text          not null,
  name         text          not null,
  position     integer       not null,
  probability  numeric(5, 4) not null check (probability between 0 and 1),
  closed_won   boolean       not null default false,
  closed_lost  boolean       not null default false,
  check (not (closed_won and closed_lost)),
  primary key (tenant_id, id),
  unique (tenant_id, pipeline_id, key),
  foreign key (tenant_id, pipeline_id) references leads.pipelines (tenant_id, id) on delete cascade
);
alter table leads.pipeline_stages enable row level security;
alter table leads.pipeline_stages force row level security;
create policy tenant_isolation on leads.pipeline_stages using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

create table leads.deals (
  tenant_id            uuid        not null,
  id                   uuid        not null,
  name                 text        not null,
  amount_minor         bigint,
  currency             char(3)     not null,
  pipeline_id          uuid        not null,
  stage_id             uuid        not null,
  owner_id             text,
  expected_close_date  date,
  source               text,
  channel              text,
  attributes           jsonb       not null default '{}'::jsonb check (jsonb_typeof(attributes) = 'object'),
  -- Ids of the deal elsewhere: {"hubspot": "12345"}.
  external_ids         jsonb       not null default '{}'::jsonb check (jsonb_typeof(external_ids) = 'object'),
  stage_entered_at     timestamptz not null,
  closed_at            timestamptz,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, pipeline_id) references leads.pipelines (tenant_id, id),
  foreign key (tenant_id, stage_id) references leads.pipeline_stages (tenant_id, id)
);
create index ix_deals_list on leads.deals (tenant_id, created_at desc, id desc);
create index ix_deals_stage on leads.deals (tenant_id, pipeline_id, stage_id);
create index ix_deals_owner on leads.deals (tenant_id, owner_id) where owner_id is not null;
create unique index ux_deals_hubspot on leads.deals (tenant_id, (external_ids ->> 'hubspot')) where external_ids ? 'hubspot';
alter table leads.deals enable row level security;
alter table leads.deals force row level security;
create policy tenant_isolation on leads.deals using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

create table leads.deal_contacts (
  tenant_id   uuid        not null,
  deal_id     uuid        not null,
  contact_id  uuid        not null,
  added_at    timestamptz not null default now(),
  primary key (tenant_id, deal_id, contact_id),
  foreign key (tenant_id, deal_id) references leads.deals (tenant_id, id) on delete cascade
);
create index ix_deal_contacts_contact on leads.deal_contacts (tenant_id, contact_id);
alter table leads.deal_contacts enable row level security;
alter table leads.deal_contacts force row level security;
create policy tenant_isolation on leads.deal_contacts using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

create table leads.deal_stage_history (
  tenant_id      uuid        not null,
  deal_id        uuid        not null,
  id             uuid        not null,
  from_stage_id  uuid,
  to_stage_id    uuid        not null,
  -- Time spent in from_stage, up to this change (null for the first entry).
  time_in_from   interval,
  source         text        not null,
  triggered_by   text,
  changed_at     timestamptz not null,
  primary key (tenant_id, id),
  foreign key (tenant_id, deal_id) references leads.deals (tenant_id, id) on delete cascade
);
create index ix_deal_stage_history_deal on leads.deal_stage_history (tenant_id, deal_id, changed_at);
alter table leads.deal_stage_history enable row level security;
alter table leads.deal_stage_history force row level security;
create policy tenant_isolation on leads.deal_stage_history using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());
