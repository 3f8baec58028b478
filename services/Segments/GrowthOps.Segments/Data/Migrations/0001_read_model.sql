-- Segments' read model of contacts: its own copy of what criteria read, built from Leads' events (never from Leads' tables).
-- Every tenant table: tenant_id first in keys, FORCE ROW LEVEL SECURITY on segments.current_tenant().
--
-- Each upstream service owns its own columns and its own version column: Leads' events carry a per-contact version and
-- an event older than `version` is ignored. Facts from services that do not exist yet (Revenue: purchase_count,
-- lifetime_value, last_purchase_at; Attribution: first/last touch channel) arrive as nullable columns in a later
-- migration together with that service's version column (e.g. revenue_version) and a replay of its events; until then
-- they are null, which every criterion treats as "unknown" (see Domain/Criteria). purchase_count exists already because
-- the default rule template "Multiple Purchases" names it.

create table segments.contacts (
  tenant_id           uuid        not null,
  id                  uuid        not null,
  -- Leads' per-contact version of the newest event applied; a stale or duplicated event never overwrites newer state.
  version             bigint      not null,
  -- A deletion stays as a tombstone (with its version) so that a late ContactUpdated cannot bring the contact back.
  deleted             boolean     not null default false,
  email               text,
  kind                text,
  first_name          text,
  last_name           text,
  phone               text,
  company             text,
  source              text,
  channel             text,
  owner_id            text,
  timezone            text,
  score               integer     not null default 0,
  ai_score            integer,
  marketing_consent   boolean     not null default false,
  consent_at          timestamptz,
  email_verified      boolean     not null default false,
  attributes          jsonb       not null default '{}'::jsonb check (jsonb_typeof(attributes) = 'object'),
  tags                text[]      not null default '{}',
  lead_state          text,
  state_entered_at    timestamptz,
  last_interaction_at timestamptz,
  purchase_count      integer,
  -- The contact's own times in Leads.
  created_at          timestamptz not null,
  updated_at          timestamptz not null,
  -- When this row was last written here (lag and rebuild diagnostics).
  applied_at          timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index ix_contacts_tags on segments.contacts using gin (tags);
create index ix_contacts_lead_state on segments.contacts (tenant_id, lead_state);
create index ix_contacts_last_interaction on segments.contacts (tenant_id, last_interaction_at);
create index ix_contacts_ai_score on segments.contacts (tenant_id, ai_score);
alter table segments.contacts enable row level security;
alter table segments.contacts force row level security;
create policy tenant_isolation on segments.contacts using (tenant_id = segments.current_tenant()) with check (tenant_id = segments.current_tenant());

-- Per contact and activity type: how often and when, over the contact's whole history (unlike segments.activities, which
-- keeps only the retention window). "Has done T at least N times" with no window and no metadata condition reads this.
create table segments.contact_activity (
  tenant_id  uuid        not null,
  contact_id uuid        not null,
  type       text        not null,
  count      bigint      not null check (count >= 0),
  first_at   timestamptz not null,
  last_at    timestamptz not null,
  primary key (tenant_id, contact_id, type),
  foreign key (tenant_id, contact_id) references segments.contacts (tenant_id, id) on delete cascade
);
create index ix_contact_activity_type on segments.contact_activity (tenant_id, type, last_at);
alter table segments.contact_activity enable row level security;
alter table segments.contact_activity force row level security;
create policy tenant_isolation on segments.contact_activity using (tenant_id = segments.current_tenant()) with check (tenant_id = segments.current_tenant());

-- The activities of the retention window (Segments:ActivityRetentionDays), with their metadata: what behavioural criteria
-- with a window or a metadata condition (checkout.completed where metadata.product = 'P2P') count. Keyed by Leads'
-- activity id, so a redelivered ActivityRecorded is counted once.
create table segments.activities (
  tenant_id   uuid        not null,
  id          uuid        not null,
  contact_id  uuid        not null,
  type        text        not null,
  occurred_at timestamptz not null,
  metadata    jsonb       not null default '{}'::jsonb check (jsonb_typeof(metadata) = 'object'),
  primary key (tenant_id, id),
  foreign key (tenant_id, contact_id) references segments.contacts (tenant_id, id) on delete cascade
);
create index ix_activities_contact_type on segments.activities (tenant_id, contact_id, type, occurred_at desc);
create index ix_activities_type on segments.activities (tenant_id, type, occurred_at desc);
create index ix_activities_occurred on segments.activities (occurred_at);
alter table segments.activities enable row level security;
alter table segments.activities force row level security;
create policy tenant_isolation on segments.activities using (tenant_id = segments.current_tenant()) with check (tenant_id = segments.current_tenant());
-- The retention sweep works for no tenant: inside purge_activities_before (and only there) it may see and delete the
-- activities of every tenant that are older than its cut-off, nothing else.
create policy retention_cleanup_select on segments.activities for select
  using (occurred_at < nullif(current_setting('app.activity_cutoff', true), '')::timestamptz);
create policy retention_cleanup_delete on segments.activities for delete
  using (occurred_at < nullif(current_setting('app.activity_cutoff', true), '')::timestamptz);

-- Deletes at most p_limit activities older than p_before, oldest first; returns how many it deleted.
create function segments.purge_activities_before(p_before timestamptz, p_limit integer) returns integer language plpgsql as $$
declare
  removed integer;
begin
  perform set_config('app.activity_cutoff', p_before::text, true);
  delete from segments.activities where ctid = any(array(
    select ctid from segments.activities where occurred_at < p_before order by occurred_at limit p_limit));
  get diagnostics removed = row_count;
  perform set_config('app.activity_cutoff', '', true);
  return removed;
end $$;

-- A JSON string as a timestamp for date criteria on attributes and metadata, or null when it is not one. Exactly the
-- forms Domain/Criteria/JsonDates.cs accepts, so both back ends see the same dates: yyyy-MM-dd (midnight UTC) or
-- yyyy-MM-ddTHH:mm:ss[.ffffff] with Z or an offset up to ±14:00 (never the session's time zone), years 1000–8999.
-- Impossible calendar dates (2023-02-30) are null too: the cast raises and the handler answers null.
create function segments.json_timestamp(value text) returns timestamptz language plpgsql immutable parallel safe as $$
begin
  if value ~ '^[1-8][0-9]{3}-[0-9]{2}-[0-9]{2}$' then
    return (value || 'T00:00:00Z')::timestamptz;
  end if;
  if value ~ '^[1-8][0-9]{3}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)$' then
    return value::timestamptz;
  end if;
  return null;
exception when invalid_datetime_format or datetime_field_overflow then
  return null;
end $$;
