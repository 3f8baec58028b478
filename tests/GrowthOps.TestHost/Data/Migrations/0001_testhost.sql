create table testhost.orders (
  tenant_id uuid        not null,
  id        uuid        primary key,
  amount    numeric(12, 2) not null,
  created   timestamptz not null default now()
);
alter table testhost.orders enable row level security;
alter table testhost.orders force row level security;
create policy tenant_isolation on testhost.orders
  using (tenant_id = testhost.current_tenant()) with check (tenant_id = testhost.current_tenant());

-- Written by the OrderPlaced consumer with a deliberately non-idempotent insert: the inbox must make it exactly once.
create table testhost.effects (
  id         bigint generated always as identity primary key,
  tenant_id  uuid        not null,
  order_id   uuid        not null,
  message_id uuid        not null,
  created    timestamptz not null default now()
);
alter table testhost.effects enable row level security;
alter table testhost.effects force row level security;
create policy tenant_isolation on testhost.effects
  using (tenant_id = testhost.current_tenant()) with check (tenant_id = testhost.current_tenant());

create table testhost.pings (
  id          bigint generated always as identity primary key,
  ping_id     uuid        not null,
  due_at      timestamptz not null,
  received_at timestamptz not null default clock_timestamp()
);

create table testhost.order_state (
  correlation_id uuid        primary key,
  current_state  text,
  version        integer     not null,
  data           jsonb       not null,
  created        timestamptz not null default now(),
  updated        timestamptz not null default now()
);
