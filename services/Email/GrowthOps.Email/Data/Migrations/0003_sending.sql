-- The sending pipeline. Workers of any replica find the next tenant with due email here; everything else they do runs in a
-- transaction of that tenant (row-level security as everywhere). Inside email.next_due_tenant (and only there) due jobs
-- and campaigns of every tenant may be seen.
create policy sending_select on email.email_jobs for select using (current_setting('app.email_sending', true) = 'on');
create policy sending_select on email.campaigns for select using (current_setting('app.email_sending', true) = 'on');
-- SELECT … FOR UPDATE needs the rows to pass an UPDATE policy too; this one lets nothing be written.
create policy sending_lock on email.email_jobs for update using (current_setting('app.email_sending', true) = 'on') with check (false);

-- The tenant of the oldest due email of a lane that no other worker holds (SKIP LOCKED: a batch in flight keeps its rows
-- locked until its results are recorded), or null. Campaign emails are due only while their campaign is sending.
create function email.next_due_tenant(p_lane smallint) returns uuid language plpgsql as $$
declare
  found uuid;
begin
  perform set_config('app.email_sending', 'on', true);
  select j.tenant_id into found
    from email.email_jobs j
   where j.lane = p_lane and j.status = 'queued' and j.not_before <= now()
     and (j.campaign_id is null or exists (
          select 1 from email.campaigns c where c.tenant_id = j.tenant_id and c.id = j.campaign_id and c.status = 'sending'))
   order by j.not_before
   limit 1
   for update of j skip locked;
  perform set_config('app.email_sending', '', true);
  return found;
end $$;

-- How many attempts a job has had is in attempts; the last transient error stays in error until it is sent.
create index ix_email_jobs_due_tenant on email.email_jobs (tenant_id, lane, not_before) where status = 'queued';
