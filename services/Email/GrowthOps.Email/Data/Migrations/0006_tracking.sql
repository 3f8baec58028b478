-- Tracking and provider webhooks: auto-replies are recorded (so a repeat is recognised) but are no replies; Postmark's
-- webhook credentials per tenant; the inbound fallback's look-up of the latest email sent to an address.

alter table email.events drop constraint events_type_check;
alter table email.events add constraint events_type_check
  check (type in ('delivered', 'opened', 'clicked', 'bounced', 'complained', 'unsubscribed', 'replied', 'auto_replied'));

-- HTTP basic auth credentials Postmark sends with every webhook of the tenant (in the URL pasted into Postmark). The
-- password is generated here (32 random bytes) and only its SHA-256 is kept: for a secret of that entropy a slow hash adds
-- nothing but latency on every webhook.
create table email.postmark_webhook_credentials (
  tenant_id     uuid        not null primary key,
  username      text        not null,
  password_hash bytea       not null,
  created_at    timestamptz not null default now(),
  rotated_at    timestamptz not null default now()
);
alter table email.postmark_webhook_credentials enable row level security;
alter table email.postmark_webhook_credentials force row level security;
create policy tenant_isolation on email.postmark_webhook_credentials using (tenant_id = email.current_tenant()) with check (tenant_id = email.current_tenant());

create index ix_email_jobs_sent_to on email.email_jobs (tenant_id, lower(to_email), sent_at desc) where sent_at is not null;
