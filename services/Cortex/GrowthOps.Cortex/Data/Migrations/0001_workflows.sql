-- Cortex's workflows: the draft graph as the builder saved it (React Flow JSON, stored as given), and immutable published
-- versions that runs are pinned to. Every table: tenant_id first in keys, FORCE ROW LEVEL SECURITY on cortex.current_tenant().

create table cortex.workflows (
  tenant_id        uuid        not null,
  id               uuid        not null,
  name             text        not null,
  description      text,
  status           text        not null default 'draft' check (status in ('draft', 'active', 'paused', 'archived')),
  -- json, not jsonb: kept byte for byte as the builder sent it (member order included).
  graph            json        not null,
  -- once_per_contact, once_per_days (reentry_days), always
  reentry          text        not null default 'once_per_contact' check (reentry in ('once_per_contact', 'once_per_days', 'always')),
  reentry_days     integer     check (reentry_days between 1 and 3650),
  goal             jsonb,
  exit_criteria    jsonb,
  current_version  integer,
  created_by       text,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index ix_workflows_status on cortex.workflows (tenant_id, status, updated_at desc);
alter table cortex.workflows enable row level security;
alter table cortex.workflows force row level security;
create policy tenant_isolation on cortex.workflows using (tenant_id = cortex.current_tenant()) with check (tenant_id = cortex.current_tenant());

create table cortex.workflow_versions (
  tenant_id     uuid        not null,
  workflow_id   uuid        not null,
  version       integer     not null check (version > 0),
  graph         json        not null,
  trigger_type  text        not null,
  published_by  text,
  published_at  timestamptz not null default now(),
  primary key (tenant_id, workflow_id, version),
  foreign key (tenant_id, workflow_id) references cortex.workflows (tenant_id, id) on delete cascade
);
alter table cortex.workflow_versions enable row level security;
alter table cortex.workflow_versions force row level security;
create policy tenant_isolation on cortex.workflow_versions using (tenant_id = cortex.current_tenant()) with check (tenant_id = cortex.current_tenant());
-- A published version never changes.
create function cortex.workflow_versions_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'workflow versions are immutable' using errcode = 'restrict_violation';
end $$;
create trigger workflow_versions_immutable before update on cortex.workflow_versions
  for each row execute function cortex.workflow_versions_immutable();

-- What starts runs: the active workflows' triggers by event type, for matching one index probe per event.
create table cortex.workflow_triggers (
  tenant_id     uuid    not null,
  event_type    text    not null,
  workflow_id   uuid    not null,
  version       integer not null,
  filter        jsonb,
  primary key (tenant_id, event_type, workflow_id),
  foreign key (tenant_id, workflow_id) references cortex.workflows (tenant_id, id) on delete cascade
);
alter table cortex.workflow_triggers enable row level security;
alter table cortex.workflow_triggers force row level security;
create policy tenant_isolation on cortex.workflow_triggers using (tenant_id = cortex.current_tenant()) with check (tenant_id = cortex.current_tenant());
