-- Campaigns: the version a send pinned, and the one schedule column the campaign scheduler claims.
--
-- due_at is when the scheduler looks at the campaign next: a scheduled campaign's fan-out (its send_at, or for "at 9:00 in
-- each recipient's zone" the earliest recipient's instant), then while it sends, the next check for completion. A claim
-- moves it forward under FOR UPDATE SKIP LOCKED, so replicas take different campaigns and a claim whose process died is
-- claimed again later; the work itself runs in a transaction of the campaign's tenant and clears or moves it.

alter table email.campaigns add column pinned_template_version integer;
alter table email.campaigns add column due_at timestamptz;
alter table email.campaigns add column paused_at timestamptz;
create index ix_campaigns_due on email.campaigns (due_at) where due_at is not null;
-- Lists newest first, optionally by status.
create index ix_campaigns_created on email.campaigns (tenant_id, created_at desc, id desc);

-- The scheduler claims due campaigns of every tenant, which row-level security hides from a transaction of no tenant. Inside
-- the claim function (and only there) they may be seen and their due_at moved.
create policy campaign_scheduling_select on email.campaigns for select using (current_setting('app.email_campaign_scheduling', true) = 'on');
create policy campaign_scheduling_update on email.campaigns for update using (current_setting('app.email_campaign_scheduling', true) = 'on')
  with check (current_setting('app.email_campaign_scheduling', true) = 'on');

-- Claims the most overdue campaign and moves its due_at to p_retry_at (if the work fails or its process dies, it runs
-- again then). The claim is a materialized CTE so that it runs once (as a subquery of UPDATE … FROM it may be rescanned).
create function email.claim_due_campaign(p_now timestamptz, p_retry_at timestamptz)
  returns table (claimed_tenant_id uuid, claimed_campaign_id uuid, claimed_status text) language plpgsql as $$
begin
  perform set_config('app.email_campaign_scheduling', 'on', true);
  return query
    with due as materialized (
      select d.tenant_id, d.id from email.campaigns d where d.due_at <= p_now
       order by d.due_at limit 1 for update skip locked)
    update email.campaigns c set due_at = p_retry_at
      from due where c.tenant_id = due.tenant_id and c.id = due.id
    returning c.tenant_id, c.id, c.status;
  perform set_config('app.email_campaign_scheduling', '', true);
end $$;

-- Jobs of a campaign that are sent or not, for progress and the completion check.
create index ix_email_jobs_campaign_sent_at on email.email_jobs (tenant_id, campaign_id, sent_at) where campaign_id is not null and sent_at is not null;

-- A campaign email's id (its message id): a UUIDv7 (RFC 9562), time-ordered like the ids the service makes in C#, so that a
-- fan-out of 100k rows appends to the primary key's index instead of writing all over it.
create function email.campaign_job_id() returns uuid language sql volatile as $$
  select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    placing substring(int8send((extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid
$$;
