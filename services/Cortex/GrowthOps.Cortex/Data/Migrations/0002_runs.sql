-- Runs: a workflow run is pinned to the version it started on; the walker moves its steps one message at a time.

-- The contacts Cortex's conditions and templates read (from Leads' contact events; a copy, kept by version).
create table cortex.contacts (
  tenant_id   uuid        not null,
  id          uuid        not null,
  version     bigint      not null,
  snapshot    jsonb       not null,
  deleted     boolean     not null default false,
  updated_at  timestamptz not null default now(),
  primary key (tenant_id, id)
);

-- Activities of the last 90 days (aggregate conditions: count of a type in a window; optimize_timing: open hours).
create table cortex.activities (
  tenant_id    uuid        not null,
  id           uuid        not null,
  contact_id   uuid        not null,
  type         text        not null,
  metadata     jsonb,
  occurred_at  timestamptz not null,
  primary key (tenant_id, id)
);
create index ix_activities_contact on cortex.activities (tenant_id, contact_id, occurred_at desc);

create table cortex.workflow_runs (
  tenant_id         uuid        not null,
  id                uuid        not null,
  workflow_id       uuid        not null,
  version           integer     not null,
  contact_id        uuid,
  trigger_type      text        not null,
  -- The event that started the run: one run per event and workflow, however often the event is delivered.
  trigger_event_id  uuid        not null,
  status            text        not null default 'running'
                    check (status in ('running', 'waiting', 'paused', 'completed', 'failed', 'cancelled', 'converted', 'exited')),
  dry_run           boolean     not null default false,
  priority          text        not null default 'medium' check (priority in ('high', 'medium', 'low')),
  -- {event, variables, steps: {node id: output}}: what templates and conditions read.
  context           jsonb       not null,
  -- Steps under way (executing, waiting in a delay or for an event); the run ends when none is left.
  active_steps      integer     not null default 1,
  -- Steps that arrived while the run was paused, sent again on resume.
  held_steps        jsonb       not null default '[]',
  wake_at           timestamptz,
  error             text,
  started_at        timestamptz not null,
  updated_at        timestamptz not null,
  finished_at       timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, workflow_id, trigger_event_id),
  foreign key (tenant_id, workflow_id, version) references cortex.workflow_versions (tenant_id, workflow_id, version) on delete cascade
);
create index ix_runs_workflow on cortex.workflow_runs (tenant_id, workflow_id, started_at desc, id desc);
create index ix_runs_contact on cortex.workflow_runs (tenant_id, contact_id, workflow_id, started_at desc) where contact_id is not null;
create index ix_runs_live on cortex.workflow_runs (tenant_id, contact_id) where status in ('running', 'waiting', 'paused');

-- Exactly once per (run, step, attempt, phase): a redelivered or re-sent step message finds its row and does nothing.
create table cortex.workflow_run_steps (
  tenant_id    uuid        not null,
  run_id       uuid        not null,
  step_id      uuid        not null,
  attempt      integer     not null,
  phase        text        not null,
  node_id      text        not null,
  executed_at  timestamptz not null,
  primary key (tenant_id, run_id, step_id, attempt, phase),
  foreign key (tenant_id, run_id) references cortex.workflow_runs (tenant_id, id) on delete cascade
);

create table cortex.workflow_run_logs (
  tenant_id    uuid             not null,
  id           bigint generated always as identity,
  run_id       uuid             not null,
  step_id      uuid,
  node_id      text,
  node_type    text,
  attempt      integer          not null default 1,
  status       text             not null check (status in ('ok', 'failed', 'waiting', 'skipped', 'dead_lettered', 'dry_run', 'info')),
  message      text             not null,
  input        jsonb,
  output       jsonb,
  error        text,
  at           timestamptz      not null,
  duration_ms  double precision,
  primary key (tenant_id, run_id, id),
  foreign key (tenant_id, run_id) references cortex.workflow_runs (tenant_id, id) on delete cascade
);
create index ix_run_logs_node on cortex.workflow_run_logs (tenant_id, node_id, status);

-- A run waiting in a wait_until node for an event (event_type) or a condition on the contact (conditions).
create table cortex.workflow_run_waits (
  tenant_id    uuid        not null,
  run_id       uuid        not null,
  step_id      uuid        not null,
  node_id      text        not null,
  contact_id   uuid,
  event_type   text,
  conditions   jsonb,
  timeout_at   timestamptz not null,
  primary key (tenant_id, run_id, step_id),
  foreign key (tenant_id, run_id) references cortex.workflow_runs (tenant_id, id) on delete cascade
);
create index ix_run_waits_contact on cortex.workflow_run_waits (tenant_id, contact_id, event_type);

-- Branches that reached a join node.
create table cortex.workflow_run_joins (
  tenant_id   uuid        not null,
  run_id      uuid        not null,
  node_id     text        not null,
  step_id     uuid        not null,
  arrived_at  timestamptz not null,
  primary key (tenant_id, run_id, node_id, step_id),
  foreign key (tenant_id, run_id) references cortex.workflow_runs (tenant_id, id) on delete cascade
);

-- Steps whose every retry failed: listed, and replayed from the API.
create table cortex.dead_letters (
  tenant_id     uuid        not null,
  id            uuid        not null,
  run_id        uuid        not null,
  workflow_id   uuid        not null,
  step_id       uuid        not null,
  node_id       text        not null,
  attempts      integer     not null,
  error         text        not null,
  message       jsonb       not null,
  created_at    timestamptz not null,
  replayed_at   timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, run_id) references cortex.workflow_runs (tenant_id, id) on delete cascade
);
create index ix_dead_letters_open on cortex.dead_letters (tenant_id, created_at desc) where replayed_at is null;

do $$
declare t text;
begin
  foreach t in array array['contacts', 'activities', 'workflow_runs', 'workflow_run_steps', 'workflow_run_logs', 'workflow_run_waits',
                           'workflow_run_joins', 'dead_letters'] loop
    execute format('alter table cortex.%I enable row level security', t);
    execute format('alter table cortex.%I force row level security', t);
    execute format('create policy tenant_isolation on cortex.%I using (tenant_id = cortex.current_tenant()) with check (tenant_id = cortex.current_tenant())', t);
  end loop;
end $$;
