-- Schedules: a published workflow whose trigger is schedule.cron or schedule.interval has one row here, with its next
-- occurrence; the scheduler claims due rows across tenants and starts the occurrence's runs.
create table cortex.workflow_schedules (
  tenant_id         uuid        not null,
  workflow_id       uuid        not null,
  version           integer     not null,
  kind              text        not null check (kind in ('cron', 'interval')),
  cron              text,
  timezone          text        not null default 'UTC',
  interval_seconds  double precision,
  segment_id        uuid,
  next_run_at       timestamptz not null,
  -- The occurrence a claim is firing (null when none is under way); a claim that died is taken again when its lease ends.
  firing_at         timestamptz,
  lease_until       timestamptz,
  last_run_at       timestamptz,
  created_at        timestamptz not null default now(),
  primary key (tenant_id, workflow_id),
  foreign key (tenant_id, workflow_id) references cortex.workflows (tenant_id, id) on delete cascade
);
create index ix_schedules_due on cortex.workflow_schedules ((case when firing_at is null then next_run_at else lease_until end));

-- Members of Segments' segments, from SegmentMembershipChanged: whom a segment's schedule starts runs for.
-- A row per contact and segment with its latest change (member or not), so an exit that arrives before its entry wins.
create table cortex.segment_members (
  tenant_id   uuid        not null,
  segment_id  uuid        not null,
  contact_id  uuid        not null,
  member      boolean     not null,
  changed_at  timestamptz not null,
  primary key (tenant_id, segment_id, contact_id)
);

do $$
declare t text;
begin
  foreach t in array array['workflow_schedules', 'segment_members'] loop
    execute format('alter table cortex.%I enable row level security', t);
    execute format('alter table cortex.%I force row level security', t);
    execute format('create policy tenant_isolation on cortex.%I using (tenant_id = cortex.current_tenant()) with check (tenant_id = cortex.current_tenant())', t);
  end loop;
end $$;

-- The scheduler's claim sees every tenant's schedules, and only inside this function.
create policy scheduling_select on cortex.workflow_schedules for select using (current_setting('app.cortex_scheduling', true) = 'on');
create policy scheduling_update on cortex.workflow_schedules for update using (current_setting('app.cortex_scheduling', true) = 'on')
  with check (current_setting('app.cortex_scheduling', true) = 'on');

-- Claims one due schedule: the occurrence it fires (a new one, or one whose claim's lease ran out), leased until p_lease.
create function cortex.claim_schedule(p_now timestamptz, p_lease timestamptz)
  returns table (claimed_tenant_id uuid, claimed_workflow_id uuid, occurrence timestamptz) language plpgsql as $$
begin
  perform set_config('app.cortex_scheduling', 'on', true);
  return query
    with due as materialized (
      select s.tenant_id, s.workflow_id from cortex.workflow_schedules s
       where (case when s.firing_at is null then s.next_run_at else s.lease_until end) <= p_now
       order by (case when s.firing_at is null then s.next_run_at else s.lease_until end) limit 1 for update skip locked)
    update cortex.workflow_schedules s set firing_at = coalesce(s.firing_at, s.next_run_at), lease_until = p_lease
      from due where s.tenant_id = due.tenant_id and s.workflow_id = due.workflow_id
    returning s.tenant_id, s.workflow_id, s.firing_at;
  perform set_config('app.cortex_scheduling', '', true);
end $$;

-- webhook.received: a workflow's secret URL. Only the secret's SHA-256 is kept; the secret is shown once, when made.
create table cortex.workflow_webhooks (
  tenant_id         uuid        not null,
  workflow_id       uuid        not null,
  secret_hash       bytea       not null,
  created_at        timestamptz not null,
  last_received_at  timestamptz,
  primary key (tenant_id, workflow_id),
  foreign key (tenant_id, workflow_id) references cortex.workflows (tenant_id, id) on delete cascade
);
alter table cortex.workflow_webhooks enable row level security;
alter table cortex.workflow_webhooks force row level security;
create policy tenant_isolation on cortex.workflow_webhooks using (tenant_id = cortex.current_tenant()) with check (tenant_id = cortex.current_tenant());

-- A webhook's body names its contact by email as often as by id.
create index ix_contacts_email on cortex.contacts (tenant_id, lower(snapshot->>'email'));
