-- In-app notifications (send_notification): a per-user inbox. The id is the step's, so a step notifies once.
create table cortex.notifications (
  tenant_id    uuid        not null,
  id           uuid        not null,
  user_id      text        not null,
  title        text        not null,
  body         text,
  link         text,
  workflow_id  uuid,
  run_id       uuid,
  contact_id   uuid,
  created_at   timestamptz not null,
  read_at      timestamptz,
  primary key (tenant_id, id)
);
create index ix_notifications_user on cortex.notifications (tenant_id, user_id, created_at desc, id desc);
create index ix_notifications_unread on cortex.notifications (tenant_id, user_id) where read_at is null;

-- Secrets that action configs name ({{secrets.<name>}}, a webhook's signing_secret, Twilio's credentials): sealed with the
-- service key (AES-256-GCM, the tenant as associated data), never returned by the API, never written to a run's log.
create table cortex.secrets (
  tenant_id   uuid        not null,
  name        text        not null,
  sealed      bytea       not null,
  created_at  timestamptz not null,
  updated_at  timestamptz not null,
  primary key (tenant_id, name)
);

do $$
declare t text;
begin
  foreach t in array array['notifications', 'secrets'] loop
    execute format('alter table cortex.%I enable row level security', t);
    execute format('alter table cortex.%I force row level security', t);
    execute format('create policy tenant_isolation on cortex.%I using (tenant_id = cortex.current_tenant()) with check (tenant_id = cortex.current_tenant())', t);
  end loop;
end $$;
