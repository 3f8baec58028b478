-- Responses to requests sent with an Idempotency-Key, stored in the transaction of their effects and replayed to retries.
create table $schema$.idempotency_keys (
  tenant_id    uuid        not null,
  key          text        not null check (length(key) between 1 and 255),
  -- What the key was first used for: "<method> <path and query>" and the SHA-256 of the body. Another request under the
  -- same key is refused (422) instead of being answered with a response to something else.
  request      text        not null,
  request_hash bytea       not null,
  status       smallint    not null,
  content_type text,
  location     text,
  body         bytea       not null,
  created      timestamptz not null default now(),
  expires_at   timestamptz not null,
  primary key (tenant_id, key)
);
-- Small JSON bodies: compressing them costs CPU on every write and saves little.
alter table $schema$.idempotency_keys alter column body set storage external;
create index ix_idempotency_keys_expires_at on $schema$.idempotency_keys (expires_at);

alter table $schema$.idempotency_keys enable row level security;
alter table $schema$.idempotency_keys force row level security;
create policy tenant_isolation on $schema$.idempotency_keys
  using (tenant_id = $schema$.current_tenant()) with check (tenant_id = $schema$.current_tenant());
-- The clean-up works for no tenant: inside purge_expired_idempotency_keys (and only there) it may see and delete expired
-- keys of every tenant, nothing else. A query that forgets its tenant still sees nothing.
create policy expired_cleanup_select on $schema$.idempotency_keys for select
  using (current_setting('app.idempotency_cleanup', true) = 'on' and expires_at < now());
create policy expired_cleanup_delete on $schema$.idempotency_keys for delete
  using (current_setting('app.idempotency_cleanup', true) = 'on' and expires_at < now());

-- Deletes at most p_limit expired keys, oldest first (through the index); returns how many it deleted.
create function $schema$.purge_expired_idempotency_keys(p_limit integer) returns integer language plpgsql as $$
declare
  removed integer;
begin
  perform set_config('app.idempotency_cleanup', 'on', true);
  delete from $schema$.idempotency_keys where ctid = any(array(
    select ctid from $schema$.idempotency_keys where expires_at < now() order by expires_at limit p_limit));
  get diagnostics removed = row_count;
  perform set_config('app.idempotency_cleanup', '', true);
  return removed;
end $$;
