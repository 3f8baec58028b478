-- Outbox bodies are written once and read once within seconds: compressing them (PostgreSQL does for rows over ~2 kB) is
-- CPU for nothing. Rows up to a page stay inline and uncompressed; larger ones go out of line, still uncompressed.
alter table $schema$.outbox_message alter column body set storage external, alter column headers set storage external;
alter table $schema$.outbox_message set (toast_tuple_target = 8160);
alter table $schema$.scheduled_message alter column body set storage external;

-- The clean-up's scan by age needs no B-tree kept up to date on every consumed message: inbox rows arrive in time order,
-- which a BRIN index summarises for a fraction of the cost.
drop index $schema$.ix_inbox_state_received;
create index ix_inbox_state_received on $schema$.inbox_state using brin (received);
