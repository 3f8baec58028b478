-- Segments (D21) and their members. A dynamic segment's members are what its criteria select over the read model, kept by
-- a set-based pass on create/edit/refresh and per event in between; a static segment's members are added by hand.

create table segments.segments (
  tenant_id              uuid        not null,
  id                     uuid        not null,
  name                   text        not null check (length(name) between 1 and 200),
  description            text,
  type                   text        not null default 'behavioral'
                         check (type in ('behavioral', 'demographic', 'engagement', 'value', 'lifecycle', 'predictive')),
  status                 text        not null default 'active' check (status in ('active', 'archived')),
  kind                   text        not null default 'dynamic' check (kind in ('dynamic', 'static')),
  -- The criteria as the client gave them (flat array or nested group), re-parsed by the compiler when used.
  criteria               jsonb       not null default '[]'::jsonb,
  -- The flat form's logic; null for a nested group (it says its own).
  criteria_logic         text        check (criteria_logic in ('AND', 'OR')),
  auto_refresh           boolean     not null default true,
  refresh_interval_hours integer     not null default 24 check (refresh_interval_hours between 1 and 8760),
  use_ai_refinement      boolean     not null default false,
  created_by             text,
  member_count           integer     not null default 0,
  last_refreshed_at      timestamptz,
  last_refresh_ms        integer,
  created_at             timestamptz not null default now(),
  updated_at             timestamptz not null default now(),
  primary key (tenant_id, id)
);
create unique index ux_segments_name on segments.segments (tenant_id, lower(name));
create index ix_segments_created on segments.segments (tenant_id, created_at desc, id desc);
create index ix_segments_active_dynamic on segments.segments (tenant_id) where status = 'active' and kind = 'dynamic';
alter table segments.segments enable row level security;
alter table segments.segments force row level security;
create policy tenant_isolation on segments.segments using (tenant_id = segments.current_tenant()) with check (tenant_id = segments.current_tenant());

create table segments.segment_membership (
  tenant_id  uuid        not null,
  segment_id uuid        not null,
  contact_id uuid        not null,
  source     text        not null check (source in ('dynamic', 'static')),
  entered_at timestamptz not null default now(),
  reason     text,
  primary key (tenant_id, segment_id, contact_id),
  foreign key (tenant_id, segment_id) references segments.segments (tenant_id, id) on delete cascade,
  foreign key (tenant_id, contact_id) references segments.contacts (tenant_id, id) on delete cascade
);
-- member_segments of a contact, and members newest first.
create index ix_segment_membership_contact on segments.segment_membership (tenant_id, contact_id);
create index ix_segment_membership_entered on segments.segment_membership (tenant_id, segment_id, entered_at desc, contact_id desc);
alter table segments.segment_membership enable row level security;
alter table segments.segment_membership force row level security;
create policy tenant_isolation on segments.segment_membership using (tenant_id = segments.current_tenant()) with check (tenant_id = segments.current_tenant());
