-- Tasks and notes on contacts and deals, and the tenant's owners (its users, as tokens' sub names them) with round-robin
-- groups. Every table: tenant_id first in keys, FORCE ROW LEVEL SECURITY on leads.current_tenant().

create table leads.tasks (
  tenant_id     uuid        not null,
  id            uuid        not null,
  title         text        not null,
  description   text,
  contact_id    uuid,
  deal_id       uuid,
  due_at        timestamptz,
  -- The zone the due time was given in (IANA), to show it as it was meant.
  timezone      text,
  assignee_id   text,
  priority      text        not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
  status        text        not null default 'open' check (status in ('open', 'completed')),
  completed_at  timestamptz,
  completed_by  text,
  created_by    text,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, deal_id) references leads.deals (tenant_id, id) on delete cascade
);
create index ix_tasks_list on leads.tasks (tenant_id, created_at desc, id desc);
create index ix_tasks_due on leads.tasks (tenant_id, due_at) where status = 'open';
create index ix_tasks_contact on leads.tasks (tenant_id, contact_id) where contact_id is not null;
create index ix_tasks_deal on leads.tasks (tenant_id, deal_id) where deal_id is not null;
alter table leads.tasks enable row level security;
alter table leads.tasks force row level security;
create policy tenant_isolation on leads.tasks using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

create table leads.notes (
  tenant_id   uuid        not null,
  id          uuid        not null,
  contact_id  uuid,
  deal_id     uuid,
  body        text        not null,
  author_id   text,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (tenant_id, id),
  check (contact_id is not null or deal_id is not null),
  foreign key (tenant_id, deal_id) references leads.deals (tenant_id, id) on delete cascade
);
create index ix_notes_contact on leads.notes (tenant_id, contact_id, created_at desc) where contact_id is not null;
create index ix_notes_deal on leads.notes (tenant_id, deal_id, created_at desc) where deal_id is not null;
alter table leads.notes enable row level security;
alter table leads.notes force row level security;
create policy tenant_isolation on leads.notes using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

create table leads.owners (
  tenant_id   uuid        not null,
  id          text        not null,
  name        text        not null,
  email       text,
  active      boolean     not null default true,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (tenant_id, id)
);
alter table leads.owners enable row level security;
alter table leads.owners force row level security;
create policy tenant_isolation on leads.owners using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

-- A named group of owners that work is handed to in turn: next is the position of the member who gets the next assignment.
create table leads.owner_groups (
  tenant_id   uuid        not null,
  name        text        not null,
  members     text[]      not null,
  next        integer     not null default 0,
  updated_at  timestamptz not null default now(),
  primary key (tenant_id, name)
);
alter table leads.owner_groups enable row level security;
alter table leads.owner_groups force row level security;
create policy tenant_isolation on leads.owner_groups using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());
