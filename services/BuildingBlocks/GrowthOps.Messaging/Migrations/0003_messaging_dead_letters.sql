-- A row the relay or the scheduler cannot read, deserialise or send must not block the rows behind it. Attempts are
-- counted per row; after Messaging:MaxDeliveryAttempts the row moves to dead_letter with its last error, where an operator
-- lists it and puts it back (`./growthops dlq`), and the rest keep flowing.
alter table $schema$.outbox_message add column attempts integer not null default 0, add column last_error text;
alter table $schema$.scheduled_message add column attempts integer not null default 0, add column last_error text;

create table $schema$.dead_letter (
  id                  bigint      generated always as identity primary key,
  source              text        not null check (source in ('outbox', 'scheduler')),
  message_id          uuid        not null,
  message_type        text        not null,
  destination_address text,
  attempts            integer     not null,
  error               text        not null,
  failed_at           timestamptz not null default now(),
  -- The row as it was in its table (to_jsonb), so a replay restores it exactly. A recurring schedule's failed occurrence is
  -- kept as a one-shot row: replaying it fires that occurrence once, the schedule itself has moved on.
  original            jsonb       not null
);
create index ix_dead_letter_failed_at on $schema$.dead_letter (failed_at);

-- Puts a dead letter back where it came from with a fresh attempt count (an outbox row is sent by the next relay batch, a
-- scheduled row fires at once) and removes it; false when there is no such dead letter. Safe to call twice.
-- The body names the tables unqualified (the schema placeholder is not replaced inside a quoted body): search_path is set.
create function $schema$.replay_dead_letter(p_id bigint) returns boolean language plpgsql set search_path = $schema$ as $$
declare
  d dead_letter;
begin
  delete from dead_letter where id = p_id returning * into d;
  if not found then
    return false;
  end if;
  if d.source = 'outbox' then
    insert into outbox_message (enqueue_time, sent_time, headers, properties, message_id, content_type, message_type, body,
      conversation_id, correlation_id, initiator_id, request_id, source_address, destination_address, response_address, fault_address,
      expiration_time)
    select r.enqueue_time, r.sent_time, r.headers, r.properties, r.message_id, r.content_type, r.message_type, r.body,
      r.conversation_id, r.correlation_id, r.initiator_id, r.request_id, r.source_address, r.destination_address, r.response_address,
      r.fault_address, r.expiration_time
    from jsonb_populate_record(null::outbox_message, d.original) r;
  else
    insert into scheduled_message (token_id, scheduled_time, schedule_id, schedule_group, cron_expression, time_zone_id,
      end_time, message_id, content_type, message_type, body, headers, conversation_id, correlation_id, initiator_id, request_id,
      source_address, destination_address, response_address, fault_address)
    select r.token_id, now(), r.schedule_id, r.schedule_group, r.cron_expression, r.time_zone_id, r.end_time, r.message_id,
      r.content_type, r.message_type, r.body, r.headers, r.conversation_id, r.correlation_id, r.initiator_id, r.request_id,
      r.source_address, r.destination_address, r.response_address, r.fault_address
    from jsonb_populate_record(null::scheduled_message, d.original) r
    on conflict (token_id) do update set scheduled_time = now(), attempts = 0, last_error = null, cancelled = false, updated = now();
  end if;
  return true;
end $$;
