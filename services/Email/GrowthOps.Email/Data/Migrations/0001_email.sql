-- Email's schema. Every tenant table: tenant_id first in keys, FORCE ROW LEVEL SECURITY on email.current_tenant().
--
-- Recipients and segment membership are Email's own read model, built from Leads' contact events and Segments'
-- membership events (never from their tables), so that fanning a campaign out is one local set-based statement.

create table email.recipients (
  tenant_id         uuid        not null,
  contact_id        uuid        not null,
  -- Leads' per-contact version of the newest event applied; a stale or duplicated event never overwrites newer state.
  version           bigint      not null,
  -- A deletion stays as a tombstone (with its version) so that a late ContactUpdated cannot bring the contact back.
  deleted           boolean     not null default false,
  email             text,
  first_name        text,
  last_name         text,
  company           text,
  phone             text,
  timezone          text,
  lead_state        text,
  marketing_consent boolean     not null default false,
  attributes        jsonb       not null default '{}'::jsonb check (jsonb_typeof(attributes) = 'object'),
  tags              text[]      not null default '{}',
  updated_at        timestamptz not null,
  applied_at        timestamptz not null default now(),
  primary key (tenant_id, contact_id)
);
create index ix_recipients_email on email.recipients (tenant_id, lower(email)) where not deleted;
alter table email.recipients enable row level security;
alter table email.recipients force row level security;
create policy tenant_isolation on email.recipients using (tenant_id = email.current_tenant()) with check (tenant_id = email.current_tenant());

-- Segment names as Segments last announced them (audiences show them).
create table email.segments (
  tenant_id  uuid        not null,
  segment_id uuid        not null,
  name       text        not null,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, segment_id)
);
alter table email.segments enable row level security;
alter table email.segments force row level security;
create policy tenant_isolation on email.segments using (tenant_id = email.current_tenant()) with check (tenant_id = email.current_tenant());

-- Who is in which segment now, from SegmentMembershipChanged / SegmentMembershipBatchChanged. changed_at is the event's
-- time of the newest change applied: an older event (entered after exited, out of order) does not undo a newer one.
create table email.segment_members (
  tenant_id  uuid        not null,
  segment_id uuid        not null,
  contact_id uuid        not null,
  member     boolean     not null,
  changed_at timestamptz not null,
  primary key (tenant_id, segment_id, contact_id)
);
create index ix_segment_members_contact on email.segment_members (tenant_id, contact_id);
alter table email.segment_members enable row level security;
alter table email.segment_members force row level security;
create policy tenant_isolation on email.segment_members using (tenant_id = email.current_tenant()) with check (tenant_id = email.current_tenant());

-- Templates: the current draft here, every saved version in template_versions (a campaign sends a fixed version).
-- design is the drag-and-drop editor's JSON (Unlayer), stored as given next to the HTML it rendered.
create table email.templates (
  tenant_id      uuid        not null,
  id             uuid        not null,
  name           text        not null,
  description    text,
  subject        text        not null,
  html           text        not null,
  text           text,
  design         jsonb,
  version        integer     not null default 1,
  archived       boolean     not null default false,
  created_by     text,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  primary key (tenant_id, id)
);
alter table email.templates enable row level security;
alter table email.templates force row level security;
create policy tenant_isolation on email.templates using (tenant_id = email.current_tenant()) with check (tenant_id = email.current_tenant());

create table email.template_versions (
  tenant_id   uuid        not null,
  template_id uuid        not null,
  version     integer     not null,
  subject     text        not null,
  html        text        not null,
  text        text,
  design      jsonb,
  created_by  text,
  created_at  timestamptz not null default now(),
  primary key (tenant_id, template_id, version),
  foreign key (tenant_id, template_id) references email.templates (tenant_id, id) on delete cascade
);
alter table email.template_versions enable row level security;
alter table email.template_versions force row level security;
create policy tenant_isolation on email.template_versions using (tenant_id = email.current_tenant()) with check (tenant_id = email.current_tenant());

-- Campaigns (the wizard: settings → audience → design → review → send or schedule). audience is
-- {"include_segments": [...], "exclude_segments": [...], "contact_ids": [...], "all_consenting": bool}.
create table email.campaigns (
  tenant_id         uuid        not null,
  id                uuid        not null,
  name              text        not null,
  status            text        not null default 'draft'
                    check (status in ('draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled')),
  from_email        text,
  from_name         text,
  reply_to          text,
  subject           text,
  preheader         text,
  template_id       uuid,
  template_version  integer,
  audience          jsonb       not null default '{}'::jsonb,
  -- When to send: an instant, or (send_at_local_time) a wall-clock time in each recipient's zone on scheduled_date.
  scheduled_at      timestamptz,
  schedule_timezone text,
  send_local_time   time,
  send_local_date   date,
  fanned_out_at     timestamptz,
  started_at        timestamptz,
  completed_at      timestamptz,
  cancelled_at      timestamptz,
  recipients_total  integer     not null default 0,
  created_by        text,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  primary key (tenant_id, id)
);
alter table email.campaigns enable row level security;
alter table email.campaigns force row level security;
create policy tenant_isolation on email.campaigns using (tenant_id = email.current_tenant()) with check (tenant_id = email.current_tenant());

-- One row per email to send (the seed's email_jobs): a campaign's fan-out (one per campaign × contact, so a retried
-- fan-out adds nothing) and every transactional send (one per idempotency key, ever). Its id is the message id that
-- every event of the email carries. lane 0 = transactional (never behind a broadcast), 1 = broadcast.
-- Content: campaign rows render the campaign's template version with the recipient's fields at send time; other rows
-- carry their own template reference or inline content and merge data.
create table email.email_jobs (
  tenant_id           uuid        not null,
  id                  uuid        not null,
  lane                smallint    not null check (lane in (0, 1)),
  campaign_id         uuid,
  contact_id          uuid,
  to_email            text        not null,
  category            text        not null check (category in ('marketing', 'transactional', 'strictly_transactional')),
  status              text        not null default 'queued'
                      check (status in ('queued', 'sent', 'failed', 'suppressed', 'cancelled', 'dry_run')),
  -- Not to be sent before (a schedule in the recipient's time zone, or the next retry).
  not_before          timestamptz not null default now(),
  attempts            integer     not null default 0,
  template_id         uuid,
  template_version    integer,
  subject             text,
  html                text,
  text                text,
  merge_data          jsonb,
  from_email          text,
  reply_to            text,
  idempotency_key     text,
  requested_by        text,
  correlation_id      uuid,
  dry_run             boolean     not null default false,
  provider            text,
  provider_message_id text,
  error_code          text,
  error               text,
  created_at          timestamptz not null default now(),
  sent_at             timestamptz,
  updated_at          timestamptz not null default now(),
  primary key (tenant_id, id)
);
create unique index ux_email_jobs_campaign_contact on email.email_jobs (tenant_id, campaign_id, contact_id) where campaign_id is not null;
create unique index ux_email_jobs_idempotency on email.email_jobs (tenant_id, idempotency_key) where idempotency_key is not null;
create index ix_email_jobs_due on email.email_jobs (lane, not_before) where status = 'queued';
create index ix_email_jobs_campaign_status on email.email_jobs (tenant_id, campaign_id, status) where campaign_id is not null;
create index ix_email_jobs_provider_message on email.email_jobs (provider_message_id) where provider_message_id is not null;
alter table email.email_jobs enable row level security;
alter table email.email_jobs force row level security;
create policy tenant_isolation on email.email_jobs using (tenant_id = email.current_tenant()) with check (tenant_id = email.current_tenant());

-- Addresses nothing is sent to (strictly transactional sends excepted), lower-cased.
create table email.suppressions (
  tenant_id   uuid        not null,
  email       text        not null check (email = lower(email)),
  reason      text        not null check (reason in ('hard_bounce', 'spam_complaint', 'unsubscribe', 'manual')),
  source      text,
  message_id  uuid,
  campaign_id uuid,
  created_by  text,
  created_at  timestamptz not null default now(),
  primary key (tenant_id, email)
);
alter table email.suppressions enable row level security;
alter table email.suppressions force row level security;
create policy tenant_isolation on email.suppressions using (tenant_id = email.current_tenant()) with check (tenant_id = email.current_tenant());

-- What happened to sent emails (tracking and provider webhooks), once per provider event (dedup_key).
create table email.events (
  tenant_id   uuid        not null,
  id          uuid        not null,
  message_id  uuid        not null,
  campaign_id uuid,
  contact_id  uuid,
  type        text        not null check (type in ('delivered', 'opened', 'clicked', 'bounced', 'complained', 'unsubscribed', 'replied')),
  bot         boolean     not null default false,
  url         text,
  dedup_key   text        not null,
  details     jsonb,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
create unique index ux_events_dedup on email.events (tenant_id, dedup_key);
create index ix_events_campaign on email.events (tenant_id, campaign_id, type) where campaign_id is not null;
create index ix_events_message on email.events (tenant_id, message_id, type);
alter table email.events enable row level security;
alter table email.events force row level security;
create policy tenant_isolation on email.events using (tenant_id = email.current_tenant()) with check (tenant_id = email.current_tenant());
