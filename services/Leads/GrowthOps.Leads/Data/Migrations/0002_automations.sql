-- State automations: rules fired on entering or leaving a state, or on a specific transition, with conditions on contact
-- fields and a list of actions. Each (automation, state change) runs at most once: the unique key makes it so.
create table leads.lead_state_automations (
  tenant_id        uuid        not null,
  id               uuid        not null,
  name             text        not null,
  trigger          text        not null check (trigger in ('on_enter', 'on_exit', 'on_transition')),
  state_id         uuid,       -- on_enter / on_exit
  from_state_id    uuid,       -- on_transition (null: any)
  to_state_id      uuid,       -- on_transition (null: any)
  conditions       jsonb       not null default '[]'::jsonb,
  actions          jsonb       not null default '[]'::jsonb,
  is_active        boolean     not null default true,
  execution_count  bigint      not null default 0,
  last_executed_at timestamptz,
  created          timestamptz not null default now(),
  updated          timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index ix_automations_trigger on leads.lead_state_automations (tenant_id, trigger) where is_active;
alter table leads.lead_state_automations enable row level security;
alter table leads.lead_state_automations force row level security;
create policy tenant_isolation on leads.lead_state_automations
  using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

create table leads.automation_executions (
  tenant_id     uuid        not null,
  id            uuid        not null,
  automation_id uuid        not null,
  contact_id    uuid        not null,
  history_id    uuid        not null,
  status        text        not null check (status in ('succeeded', 'failed', 'skipped')),
  results       jsonb       not null default '[]'::jsonb,
  error         text,
  executed_at   timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, automation_id, history_id),
  foreign key (tenant_id, automation_id) references leads.lead_state_automations (tenant_id, id) on delete cascade
);
create index ix_automation_executions_contact on leads.automation_executions (tenant_id, contact_id, executed_at desc);
alter table leads.automation_executions enable row level security;
alter table leads.automation_executions force row level security;
create policy tenant_isolation on leads.automation_executions
  using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());
