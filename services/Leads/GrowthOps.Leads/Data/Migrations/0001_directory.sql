-- Leads: the contact directory (leads and customers), the activity feed, lead states and their history.
-- Every tenant table: tenant_id first in keys, FORCE ROW LEVEL SECURITY on leads.current_tenant().

create table leads.tenants (
  tenant_id        uuid        primary key,
  dormancy_period  interval    not null default interval '30 days',
  created          timestamptz not null default now()
);
alter table leads.tenants enable row level security;
alter table leads.tenants force row level security;
create policy tenant_isolation on leads.tenants using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

create table leads.lead_states (
  tenant_id   uuid        not null,
  id          uuid        not null,
  name        text        not null,
  color       text        not null default 'gray',
  position    integer     not null default 0,
  description text,
  is_terminal boolean     not null default false,
  is_default  boolean     not null default false,
  created     timestamptz not null default now(),
  updated     timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, name)
);
alter table leads.lead_states enable row level security;
alter table leads.lead_states force row level security;
create policy tenant_isolation on leads.lead_states using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

create table leads.lead_transitions (
  tenant_id      uuid        not null,
  id             uuid        not null,
  from_state_id  uuid,       -- null: from any state
  to_state_id    uuid        not null,
  name           text,
  requires_notes boolean     not null default false,
  created        timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, from_state_id) references leads.lead_states (tenant_id, id),
  foreign key (tenant_id, to_state_id) references leads.lead_states (tenant_id, id)
);
create unique index ux_lead_transitions_pair on leads.lead_transitions (tenant_id, coalesce(from_state_id, '00000000-0000-0000-0000-000000000000'), to_state_id);
alter table leads.lead_transitions enable row level security;
alter table leads.lead_transitions force row level security;
create policy tenant_isolation on leads.lead_transitions using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

create table leads.contacts (
  tenant_id           uuid        not null,
  id                  uuid        not null,
  email               text,
  email_normalized    text,
  kind                text        not null default 'lead' check (kind in ('lead', 'customer')),
  first_name          text,
  last_name           text,
  phone               text,
  company             text,
  source              text,
  channel             text,
  owner_id            text,
  score               integer     not null default 0,
  timezone            text,
  marketing_consent   boolean     not null default false,
  consent_at          timestamptz,
  attributes          jsonb       not null default '{}'::jsonb,
  tags                text[]      not null default '{}',
  state_id            uuid,
  state_entered_at    timestamptz,
  last_interaction_at timestamptz,
  created             timestamptz not null default now(),
  updated             timestamptz not null default now(),
  search              tsvector generated always as (to_tsvector('simple',
                        coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '') || ' ' ||
                        coalesce(replace(email, '@', ' '), '') || ' ' || coalesce(company, ''))) stored,
  primary key (tenant_id, id),
  foreign key (tenant_id, state_id) references leads.lead_states (tenant_id, id)
);
create unique index ux_contacts_email on leads.contacts (tenant_id, email_normalized) where email_normalized is not null;
create index ix_contacts_created on leads.contacts (tenant_id, created desc, id desc);
create index ix_contacts_state on leads.contacts (tenant_id, state_id);
create index ix_contacts_interaction on leads.contacts (tenant_id, last_interaction_at);
create index ix_contacts_tags on leads.contacts using gin (tags);
create index ix_contacts_search on leads.contacts using gin (search);
alter table leads.contacts enable row level security;
alter table leads.contacts force row level security;
create policy tenant_isolation on leads.contacts using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

create table leads.activities (
  tenant_id   uuid        not null,
  id          uuid        not null,
  contact_id  uuid        not null,
  type        text        not null,
  metadata    jsonb       not null default '{}'::jsonb,
  occurred_at timestamptz not null,
  created     timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, contact_id) references leads.contacts (tenant_id, id) on delete cascade
);
create index ix_activities_contact on leads.activities (tenant_id, contact_id, occurred_at desc, id desc);
create index ix_activities_feed on leads.activities (tenant_id, occurred_at desc, id desc);
create index ix_activities_type on leads.activities (tenant_id, type, occurred_at desc);
alter table leads.activities enable row level security;
alter table leads.activities force row level security;
create policy tenant_isolation on leads.activities using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

create table leads.lead_state_history (
  tenant_id                  uuid        not null,
  id                         uuid        not null,
  contact_id                 uuid        not null,
  from_state_id              uuid,
  to_state_id                uuid        not null,
  transition_id              uuid,
  notes                      text,
  triggered_by               text,
  source                     text        not null check (source in ('user', 'automation', 'webhook', 'system')),
  seconds_in_previous_state  double precision,
  occurred_at                timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, contact_id) references leads.contacts (tenant_id, id) on delete cascade
);
create index ix_history_contact on leads.lead_state_history (tenant_id, contact_id, occurred_at);
create index ix_history_states on leads.lead_state_history (tenant_id, from_state_id, to_state_id);
alter table leads.lead_state_history enable row level security;
alter table leads.lead_state_history force row level security;
create policy tenant_isolation on leads.lead_state_history using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

-- The lead lifecycle saga (one per contact), on the building blocks' JSONB saga repository.
create table leads.lead_lifecycle_state (
  correlation_id uuid        primary key,
  current_state  text,
  version        integer     not null,
  data           jsonb       not null,
  created        timestamptz not null default now(),
  updated        timestamptz not null default now()
);
