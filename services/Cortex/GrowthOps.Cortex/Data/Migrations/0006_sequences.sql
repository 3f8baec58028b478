-- Multi-touch sequences (the seed's phase3_sequences_schema): definitions, their steps, one enrolment saga per
-- (lead, sequence) and the execution log. Every table: tenant_id first in keys, FORCE ROW LEVEL SECURITY.

create table cortex.sequences (
  tenant_id    uuid        not null,
  id           uuid        not null,
  name         text        not null,
  description  text,
  status       text        not null default 'draft' check (status in ('draft', 'active', 'paused', 'archived')),
  settings     jsonb       not null default '{}',
  steps_count  integer     not null default 0,
  created_by   text,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index ix_sequences_status on cortex.sequences (tenant_id, status, created_at desc);

-- step_order is 1-based and dense; unique per sequence, checked at commit so that a reorder can swap orders in one statement.
create table cortex.sequence_steps (
  tenant_id    uuid        not null,
  id           uuid        not null,
  sequence_id  uuid        not null,
  step_order   integer     not null check (step_order >= 1),
  step_type    text        not null check (step_type in ('email', 'delay', 'condition', 'action')),
  name         text,
  config       jsonb       not null default '{}',
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, sequence_id) references cortex.sequences (tenant_id, id) on delete cascade,
  constraint ux_sequence_steps_order unique (tenant_id, sequence_id, step_order) deferrable initially deferred
);

-- steps_count kept by the database (the seed's trigger), whatever writes the steps.
create function cortex.sequence_steps_count() returns trigger language plpgsql as $$
begin
  if tg_op in ('INSERT', 'UPDATE') then
    update cortex.sequences s set steps_count = (select count(*) from cortex.sequence_steps x where x.tenant_id = new.tenant_id and x.sequence_id = new.sequence_id)
     where s.tenant_id = new.tenant_id and s.id = new.sequence_id;
  end if;
  if tg_op in ('DELETE', 'UPDATE') then
    update cortex.sequences s set steps_count = (select count(*) from cortex.sequence_steps x where x.tenant_id = old.tenant_id and x.sequence_id = old.sequence_id)
     where s.tenant_id = old.tenant_id and s.id = old.sequence_id;
  end if;
  return null;
end $$;
create trigger tr_sequence_steps_count after insert or delete or update of sequence_id on cortex.sequence_steps
  for each row execute function cortex.sequence_steps_count();

-- The enrolment saga (MassTransit state machine on the building blocks' repository): one row per (lead, sequence), its
-- correlation id derived from both. The instance is jsonb; the columns the API filters on are generated from it.
create table cortex.lead_sequence_state (
  tenant_id      uuid        not null,
  correlation_id uuid        primary key,
  current_state  text,
  version        integer     not null,
  data           jsonb       not null,
  created        timestamptz not null default now(),
  updated        timestamptz not null default now(),
  sequence_id    uuid generated always as ((data ->> 'sequenceId')::uuid) stored,
  contact_id     uuid generated always as ((data ->> 'contactId')::uuid) stored
);
create index ix_lead_sequence_state_sequence on cortex.lead_sequence_state (tenant_id, sequence_id, current_state);
create index ix_lead_sequence_state_contact on cortex.lead_sequence_state (tenant_id, contact_id);

-- Every step an enrolment went through, with its outcome (the seed's audit trail).
create table cortex.sequence_execution_log (
  tenant_id      uuid        not null,
  id             uuid        not null,
  enrollment_id  uuid        not null,
  sequence_id    uuid        not null,
  contact_id     uuid        not null,
  step_id        uuid,
  step_order     integer,
  step_type      text,
  action         text        not null,
  outcome        text        not null check (outcome in ('success', 'failed', 'skipped', 'waiting')),
  detail         jsonb,
  error          text,
  created_at     timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index ix_sequence_log_enrollment on cortex.sequence_execution_log (tenant_id, enrollment_id, created_at);
create index ix_sequence_log_sequence on cortex.sequence_execution_log (tenant_id, sequence_id, created_at desc);
create index ix_sequence_log_contact on cortex.sequence_execution_log (tenant_id, contact_id, created_at desc);

-- Each email a sequence sent (from Email's EmailSent), so that its opens, clicks and replies find their enrolment, step and
-- A/B variant; the per-step and per-variant analytics count these.
create table cortex.sequence_messages (
  tenant_id      uuid        not null,
  message_id     uuid        not null,
  enrollment_id  uuid        not null,
  sequence_id    uuid        not null,
  contact_id     uuid        not null,
  step_id        uuid        not null,
  step_order     integer     not null,
  variant        text        not null,
  sent_at        timestamptz not null,
  opened_at      timestamptz,
  clicked_at     timestamptz,
  replied_at     timestamptz,
  bounced_at     timestamptz,
  primary key (tenant_id, message_id)
);
create index ix_sequence_messages_sequence on cortex.sequence_messages (tenant_id, sequence_id, step_id, variant);

-- Sending slots per sender: the daily cap and the stagger between two sends of one sender.
create table cortex.sequence_send_slots (
  tenant_id  uuid        not null,
  sender     text        not null,
  day        date        not null,
  used       integer     not null,
  next_at    timestamptz not null,
  primary key (tenant_id, sender)
);

do $$
declare t text;
begin
  foreach t in array array['sequences', 'sequence_steps', 'lead_sequence_state', 'sequence_execution_log', 'sequence_messages', 'sequence_send_slots'] loop
    execute format('alter table cortex.%I enable row level security', t);
    execute format('alter table cortex.%I force row level security', t);
    execute format('create policy tenant_isolation on cortex.%I using (tenant_id = cortex.current_tenant()) with check (tenant_id = cortex.current_tenant())', t);
  end loop;
end $$;
