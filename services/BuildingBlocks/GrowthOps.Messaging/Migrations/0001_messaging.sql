-- Messaging tables every service has in its own schema: inbox (exactly-once effects), outbox (atomic publish), scheduler.

-- One row per (message, consumer) whose effects have committed; its presence makes a redelivery a no-op.
create table $schema$.inbox_state (
  message_id  uuid        not null,
  consumer_id uuid        not null,
  consumer    text        not null,
  received    timestamptz not null default now(),
  primary key (message_id, consumer_id)
);
create index ix_inbox_state_received on $schema$.inbox_state (received);

-- Messages committed with business rows, waiting for the relay to hand them to RabbitMQ.
create table $schema$.outbox_message (
  sequence_number     bigint generated always as identity primary key,
  enqueue_time        timestamptz,
  sent_time           timestamptz not null,
  headers             text,
  properties          text,
  message_id          uuid        not null,
  content_type        text        not null,
  message_type        text        not null,
  body                text        not null,
  conversation_id     uuid,
  correlation_id      uuid,
  initiator_id        uuid,
  request_id          uuid,
  source_address      text,
  destination_address text,
  response_address    text,
  fault_address       text,
  expiration_time     timestamptz,
  created             timestamptz not null default now()
);

-- Wakes relays in other processes when a transaction that wrote outbox rows commits (NOTIFY is delivered on commit).
create function $schema$.notify_outbox() returns trigger language plpgsql as $$
begin
  perform pg_notify(tg_table_schema || '_outbox', '');
  return null;
end $$;
create trigger outbox_message_notify after insert on $schema$.outbox_message
  for each statement execute function $schema$.notify_outbox();

-- Durable scheduler: one-shot messages (token_id) and recurring schedules (schedule_group, schedule_id + cron).
create table $schema$.scheduled_message (
  token_id            uuid        primary key,
  scheduled_time      timestamptz not null,
  cancelled           boolean     not null default false,
  paused              boolean     not null default false,
  schedule_id         text,
  schedule_group      text,
  cron_expression     text,
  time_zone_id        text,
  end_time            timestamptz,
  fire_count          integer     not null default 0,
  message_id          uuid        not null,
  content_type        text        not null,
  message_type        text        not null,
  body                text        not null,
  headers             text,
  conversation_id     uuid,
  correlation_id      uuid,
  initiator_id        uuid,
  request_id          uuid,
  source_address      text,
  destination_address text        not null,
  response_address    text,
  fault_address       text,
  created             timestamptz not null default now(),
  updated             timestamptz not null default now()
);
create index ix_scheduled_message_due on $schema$.scheduled_message (scheduled_time) where not cancelled and not paused;
create unique index ux_scheduled_message_recurring on $schema$.scheduled_message (schedule_group, schedule_id) where schedule_id is not null;

create function $schema$.notify_scheduler() returns trigger language plpgsql as $$
begin
  perform pg_notify(tg_table_schema || '_scheduler', '');
  return null;
end $$;
create trigger scheduled_message_notify after insert or update on $schema$.scheduled_message
  for each statement execute function $schema$.notify_scheduler();
