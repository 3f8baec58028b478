-- Snapshots (point-in-time member lists of a segment) and the two schedules that change membership with no event: the
-- periodic auto-refresh of a dynamic segment, and the sweep of segments whose criteria depend on time.

create table segments.segment_snapshots (
  tenant_id    uuid        not null,
  id           uuid        not null,
  segment_id   uuid        not null,
  type         text        not null check (type in ('manual', 'scheduled')),
  member_count integer     not null,
  taken_at     timestamptz not null,
  primary key (tenant_id, id),
  foreign key (tenant_id, segment_id) references segments.segments (tenant_id, id) on delete cascade
);
-- A segment's snapshots newest first, and retention's "oldest first".
create index ix_segment_snapshots_segment on segments.segment_snapshots (tenant_id, segment_id, taken_at desc, id desc);
alter table segments.segment_snapshots enable row level security;
alter table segments.segment_snapshots force row level security;
create policy tenant_isolation on segments.segment_snapshots using (tenant_id = segments.current_tenant()) with check (tenant_id = segments.current_tenant());

-- The members as they were: no foreign key to contacts, so a contact deleted since stays in the history it was part of.
create table segments.segment_snapshot_members (
  tenant_id   uuid        not null,
  snapshot_id uuid        not null,
  contact_id  uuid        not null,
  source      text        not null,
  entered_at  timestamptz not null,
  primary key (tenant_id, snapshot_id, contact_id),
  foreign key (tenant_id, snapshot_id) references segments.segment_snapshots (tenant_id, id) on delete cascade
);
-- Members paged like a segment's (entered_at, contact_id newest first).
create index ix_segment_snapshot_members_entered on segments.segment_snapshot_members (tenant_id, snapshot_id, entered_at desc, contact_id desc);
alter table segments.segment_snapshot_members enable row level security;
alter table segments.segment_snapshot_members force row level security;
create policy tenant_isolation on segments.segment_snapshot_members using (tenant_id = segments.current_tenant()) with check (tenant_id = segments.current_tenant());

-- When the scheduler refreshes the segment next (null: it does not — static, archived or auto_refresh off).
alter table segments.segments add column next_refresh_at timestamptz;
-- Whether the criteria depend on time (relative dates, days_* fields, activity windows), set by every full pass. Segments
-- that exist already are assumed to until their first sweep says otherwise, so none is missed.
alter table segments.segments add column time_dependent boolean not null default true;
alter table segments.segments alter column time_dependent set default false;
-- When the time sweep recomputes the segment next (null: as soon as it is time-dependent).
alter table segments.segments add column next_sweep_at timestamptz;
create index ix_segments_next_refresh on segments.segments (next_refresh_at) where next_refresh_at is not null;
create index ix_segments_next_sweep on segments.segments (next_sweep_at nulls first) where time_dependent and status = 'active' and kind = 'dynamic';

-- next_refresh_at follows the columns that decide it on every write, whoever makes it (create, PATCH, archive, duplicate,
-- the synthex routes): the next refresh is an interval after the last full pass. The scheduler's own writes change only
-- next_refresh_at, which this leaves alone; so do manual refreshes and sweeps (they move last_refreshed_at, not the schedule).
create function segments.schedule_refresh() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status or new.kind is distinct from old.kind
     or new.auto_refresh is distinct from old.auto_refresh or new.refresh_interval_hours is distinct from old.refresh_interval_hours then
    new.next_refresh_at := case when new.status = 'active' and new.kind = 'dynamic' and new.auto_refresh
                                then coalesce(new.last_refreshed_at, new.created_at) + make_interval(hours => new.refresh_interval_hours) end;
  end if;
  return new;
end $$;
create trigger schedule_refresh before insert or update on segments.segments for each row execute function segments.schedule_refresh();

-- The schedulers claim due segments of every tenant, which row-level security hides from a transaction of no tenant.
-- Inside the two claim functions (and only there) they may be seen and their schedule column moved; the work itself then
-- runs in a transaction of the segment's tenant.
create policy scheduling_select on segments.segments for select using (current_setting('app.segment_scheduling', true) = 'on');
create policy scheduling_update on segments.segments for update using (current_setting('app.segment_scheduling', true) = 'on')
  with check (current_setting('app.segment_scheduling', true) = 'on');

-- The segments that exist already, of every tenant, get their first scheduled refresh.
select set_config('app.segment_scheduling', 'on', true);
update segments.segments set next_refresh_at = coalesce(last_refreshed_at, created_at) + make_interval(hours => refresh_interval_hours)
 where status = 'active' and kind = 'dynamic' and auto_refresh;
select set_config('app.segment_scheduling', '', true);

-- Claims the most overdue refresh and moves it to p_retry_at (if the refresh fails or its process dies, it runs again then).
-- SKIP LOCKED: replicas claiming together take different segments, each refreshed once. The claim is a materialized CTE so
-- that it runs once: as a subquery of UPDATE … FROM it may be rescanned per row and lock (and return) several.
create function segments.claim_refresh(p_now timestamptz, p_retry_at timestamptz)
  returns table (claimed_tenant_id uuid, claimed_segment_id uuid) language plpgsql as $$
begin
  perform set_config('app.segment_scheduling', 'on', true);
  return query
    with due as materialized (
      select d.tenant_id, d.id from segments.segments d where d.next_refresh_at <= p_now
       order by d.next_refresh_at limit 1 for update skip locked)
    update segments.segments s set next_refresh_at = p_retry_at
      from due where s.tenant_id = due.tenant_id and s.id = due.id
    returning s.tenant_id, s.id;
  perform set_config('app.segment_scheduling', '', true);
end $$;

-- Claims the most overdue sweep of an active dynamic time-dependent segment and moves it to p_next.
create function segments.claim_sweep(p_now timestamptz, p_next timestamptz)
  returns table (claimed_tenant_id uuid, claimed_segment_id uuid) language plpgsql as $$
begin
  perform set_config('app.segment_scheduling', 'on', true);
  return query
    with due as materialized (
      select d.tenant_id, d.id from segments.segments d
       where d.time_dependent and d.status = 'active' and d.kind = 'dynamic' and (d.next_sweep_at is null or d.next_sweep_at <= p_now)
       order by d.next_sweep_at nulls first limit 1 for update skip locked)
    update segments.segments s set next_sweep_at = p_next
      from due where s.tenant_id = due.tenant_id and s.id = due.id
    returning s.tenant_id, s.id;
  perform set_config('app.segment_scheduling', '', true);
end $$;
