-- NOTIFY from a trigger made every committing outbox/scheduler transaction on the server take PostgreSQL's single
-- notification-queue lock until its commit record was flushed: commits stopped overlapping (measured: 8 writers fell
-- from ~1,300 to ~250 tx/s). Relays and schedulers are now woken in process on commit; only processes without a relay
-- of their own send NOTIFY (see OutboxStore), and other replicas pick work up within their poll interval.
drop trigger if exists outbox_message_notify on $schema$.outbox_message;
drop function if exists $schema$.notify_outbox();
drop trigger if exists scheduled_message_notify on $schema$.scheduled_message;
drop function if exists $schema$.notify_scheduler();
