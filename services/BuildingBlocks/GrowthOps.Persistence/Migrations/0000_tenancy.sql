-- The tenant of the current transaction, set by UnitOfWork with set_config('app.tenant_id', ..., true).
-- NULL when unset (or reset to '' on a pooled connection), so a row-level security policy on it matches nothing.
create or replace function $schema$.current_tenant() returns uuid
  language sql stable parallel safe
  as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;
