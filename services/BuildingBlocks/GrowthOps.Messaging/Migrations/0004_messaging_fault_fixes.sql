-- A one-shot schedule that fired stays as a tombstone (fired = true) for a while, so a redelivered ScheduleMessage with the
-- same token finds it and does not fire a second time; cancelled and fired tombstones are cleaned in bounded batches.
alter table $schema$.scheduled_message add column fired boolean not null default false;
drop index $schema$.ix_scheduled_message_due;
create index ix_scheduled_message_due on $schema$.scheduled_message (scheduled_time) where not cancelled and not paused and not fired;
create index ix_scheduled_message_tombstones on $schema$.scheduled_message (updated) where cancelled or fired;

-- A deferred write that must have changed exactly one row (a saga's versioned update) fails its transaction otherwise, with
-- a serialization failure, which is transient: the message is retried and reloads the instance.
create function $schema$.expect_one_row(affected bigint, what text) returns void language plpgsql as $$
begin
  if affected <> 1 then
    raise exception using errcode = 'serialization_failure', message = what;
  end if;
end $$;
