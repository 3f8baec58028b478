-- Keeping the read model in step with Leads' events, and rebuilding it from Leads' snapshot pages (see Data/ReadModelStore.cs).
--
-- A row of segments.contacts is one of three things, and `deleted` (the only flag readers check) hides the last two:
--   a contact  — deleted = false, version = the newest Leads version applied;
--   a tombstone — deleted = true, deleted_at set: Leads deleted it. Final: Leads never reuses a contact id (UUIDv7, hard
--                 delete), and ContactDeleted carries no version, so nothing a deletion could be ordered against;
--   a stub     — deleted = true, deleted_at null, version = -1: an activity arrived before its contact (Leads publishes the
--                 ContactCreated of a contact an activity creates in the same transaction, and messages of one transaction
--                 come in any order). It holds the activities, and last_interaction_at, until any snapshot makes it a contact.

alter table segments.contacts add column deleted_at timestamptz;
alter table segments.contacts add constraint contacts_tombstone_hidden check (deleted_at is null or deleted);
-- The latest AsOf of a rebuild page that listed the contact: a completed rebuild tombstones what none of its pages listed.
alter table segments.contacts add column rebuild_seen_at timestamptz;

-- A rebuild of one tenant's read model from Leads' ContactSnapshotsPage messages of one RepublishContactSnapshots request,
-- asked for here (requested_at/by set) or by anyone else on the bus (an operator, another service: then null). Complete once
-- every page from 1 to the one marked Last has arrived, in whatever order.
create table segments.read_model_rebuilds (
  tenant_id     uuid        not null,
  request_id    uuid        not null,
  requested_by  text,
  requested_at  timestamptz,
  page_size     integer,
  -- Distinct page numbers received (a page delivered twice counts once).
  pages         integer[]   not null default '{}',
  last_page     integer,
  contacts      bigint      not null default 0,
  -- The earliest AsOf of its pages (Leads' clock).
  min_as_of     timestamptz,
  last_page_at  timestamptz,
  completed_at  timestamptz,
  -- Contacts it found missing from Leads and tombstoned.
  tombstoned    integer,
  primary key (tenant_id, request_id)
);
create index ix_read_model_rebuilds_open on segments.read_model_rebuilds (tenant_id) where completed_at is null;
alter table segments.read_model_rebuilds enable row level security;
alter table segments.read_model_rebuilds force row level security;
create policy tenant_isolation on segments.read_model_rebuilds using (tenant_id = segments.current_tenant()) with check (tenant_id = segments.current_tenant());
