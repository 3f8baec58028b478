-- The way out for each tenant's email: its own Postmark server or SMTP relay; no row means the platform default.
-- Secrets (Postmark server token, SMTP password) are AES-256-GCM ciphertexts under Email:Providers:SecretsKey, the
-- tenant id authenticated with them, so that neither a database dump nor a row copied to another tenant reveals them.
create table email.providers (
  tenant_id             uuid        not null primary key,
  kind                  text        not null check (kind in ('postmark', 'smtp')),
  message_stream        text,
  broadcast_stream      text,
  server_token          bytea,
  host                  text,
  port                  integer     check (port between 1 and 65535),
  username              text,
  password              bytea,
  use_tls               boolean     not null default false,
  from_default          text,
  updated_at            timestamptz not null default now(),
  check (kind <> 'postmark' or server_token is not null),
  check (kind <> 'smtp' or (host is not null and port is not null))
);
alter table email.providers enable row level security;
alter table email.providers force row level security;
create policy tenant_isolation on email.providers using (tenant_id = email.current_tenant()) with check (tenant_id = email.current_tenant());
