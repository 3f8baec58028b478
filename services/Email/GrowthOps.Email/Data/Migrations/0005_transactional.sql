-- Transactional sends and the suppression list: what their APIs list and page.

-- A message's own list (GET /api/email/messages) pages newest first by (created_at, id), optionally per contact.
create index ix_email_jobs_created on email.email_jobs (tenant_id, created_at desc, id desc);
create index ix_email_jobs_contact on email.email_jobs (tenant_id, contact_id, created_at desc) where contact_id is not null;

-- Suppressions page by (created_at, id) like every other list, so each entry needs an id of its own (the address is the key).
alter table email.suppressions add column id uuid not null default gen_random_uuid();
create unique index ux_suppressions_id on email.suppressions (tenant_id, id);
create index ix_suppressions_created on email.suppressions (tenant_id, created_at desc, id desc);
