-- Rule templates, overlaps, campaign associations, membership counters for stats (D21), and the smart-list function
-- (crm-cortex-email). Every tenant table under FORCE ROW LEVEL SECURITY on segments.current_tenant(), like 0003.

-- A rule template is one condition of the criteria language (field, operator, value), checked by the criteria compiler
-- when written. The seed's five defaults are rows of each tenant like any other (is_default marks them), so a tenant
-- edits or deletes them as its own.
create table segments.segment_rules (
  tenant_id   uuid        not null,
  id          uuid        not null,
  name        text        not null check (length(name) between 1 and 200),
  description text,
  category    text        not null check (category in ('behavioral', 'demographic', 'engagement', 'value', 'lifecycle', 'predictive')),
  field       text        not null,
  operator    text        not null,
  -- Null for is_null / is_not_null.
  value       jsonb,
  is_default  boolean     not null default false,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (tenant_id, id)
);
create unique index ux_segment_rules_name on segments.segment_rules (tenant_id, lower(name));
create index ix_segment_rules_created on segments.segment_rules (tenant_id, created_at desc, id desc);
alter table segments.segment_rules enable row level security;
alter table segments.segment_rules force row level security;
create policy tenant_isolation on segments.segment_rules using (tenant_id = segments.current_tenant()) with check (tenant_id = segments.current_tenant());

-- The tenants whose defaults have been seeded (on their first use of rules): a deleted default does not come back.
create table segments.segment_rule_defaults (
  tenant_id uuid        not null primary key,
  seeded_at timestamptz not null default now()
);
alter table segments.segment_rule_defaults enable row level security;
alter table segments.segment_rule_defaults force row level security;
create policy tenant_isolation on segments.segment_rule_defaults using (tenant_id = segments.current_tenant()) with check (tenant_id = segments.current_tenant());

-- One row per unordered pair (segment_a_id < segment_b_id), replaced on each computation.
create table segments.segment_overlaps (
  tenant_id          uuid             not null,
  segment_a_id       uuid             not null,
  segment_b_id       uuid             not null check (segment_a_id < segment_b_id),
  intersection_count integer          not null,
  a_count            integer          not null,
  b_count            integer          not null,
  union_count        integer          not null,
  jaccard            double precision not null,
  percent_of_a       double precision not null,
  percent_of_b       double precision not null,
  computed_at        timestamptz      not null,
  primary key (tenant_id, segment_a_id, segment_b_id),
  foreign key (tenant_id, segment_a_id) references segments.segments (tenant_id, id) on delete cascade,
  foreign key (tenant_id, segment_b_id) references segments.segments (tenant_id, id) on delete cascade
);
create index ix_segment_overlaps_b on segments.segment_overlaps (tenant_id, segment_b_id);
alter table segments.segment_overlaps enable row level security;
alter table segments.segment_overlaps force row level security;
create policy tenant_isolation on segments.segment_overlaps using (tenant_id = segments.current_tenant()) with check (tenant_id = segments.current_tenant());

-- A segment as the audience (include) or an exclusion of a campaign of Email, Cortex or a sequence; the campaign lives in
-- its own service, so campaign_id is not a foreign key.
create table segments.segment_campaigns (
  tenant_id     uuid        not null,
  segment_id    uuid        not null,
  campaign_id   uuid        not null,
  campaign_type text        not null check (campaign_type in ('email', 'cortex', 'sequence')),
  role          text        not null default 'include' check (role in ('include', 'exclude')),
  linked_at     timestamptz not null default now(),
  linked_by     text,
  primary key (tenant_id, segment_id, campaign_id),
  foreign key (tenant_id, segment_id) references segments.segments (tenant_id, id) on delete cascade
);
create index ix_segment_campaigns_campaign on segments.segment_campaigns (tenant_id, campaign_id);
alter table segments.segment_campaigns enable row level security;
alter table segments.segment_campaigns force row level security;
create policy tenant_isolation on segments.segment_campaigns using (tenant_id = segments.current_tenant()) with check (tenant_id = segments.current_tenant());

-- Entries and exits per segment and UTC day, counted where membership is written, so growth and churn over a window need
-- no history of members: the count at the window's start is today's count minus what entered plus what left since.
create table segments.segment_membership_daily (
  tenant_id  uuid    not null,
  segment_id uuid    not null,
  day        date    not null,
  entered    integer not null default 0,
  exited     integer not null default 0,
  primary key (tenant_id, segment_id, day),
  foreign key (tenant_id, segment_id) references segments.segments (tenant_id, id) on delete cascade
);
alter table segments.segment_membership_daily enable row level security;
alter table segments.segment_membership_daily force row level security;
create policy tenant_isolation on segments.segment_membership_daily using (tenant_id = segments.current_tenant()) with check (tenant_id = segments.current_tenant());

-- The seed's smart list: a segment's current members (kept in real time by the service). Security invoker, so row-level
-- security applies to the caller: another tenant's segment resolves to nothing.
create function segments.resolve_smart_list(p_segment_id uuid)
  returns table (contact_id uuid, email text, entered_at timestamptz)
  language sql stable security invoker
  as $$
    select m.contact_id, c.email, m.entered_at
      from segments.segment_membership m
      join segments.contacts c on c.tenant_id = m.tenant_id and c.id = m.contact_id
     where m.segment_id = p_segment_id and not c.deleted
     order by m.entered_at, m.contact_id
  $$;
