-- The benchmark's business tables (tenant tables without row-level security: the benchmark measures the messaging path).
create table $schema$.items (
  id        uuid        primary key,
  tenant_id uuid        not null,
  seq       bigint      not null,
  created   timestamptz not null default clock_timestamp()
);

-- One row per consumed message, written by the consumer behind the inbox in the inbox's transaction.
create table $schema$.effects (
  id         bigint generated always as identity primary key,
  tenant_id  uuid        not null,
  item_id    uuid        not null,
  message_id uuid        not null,
  created    timestamptz not null default clock_timestamp()
);
