-- Contact merge (identity stitching) and the commands other services send. Every table: tenant_id first in keys, FORCE ROW
-- LEVEL SECURITY on leads.current_tenant().

-- A contact's other addresses (a merged duplicate's): an activity or an upsert for one of them lands on the contact. An
-- address is one contact's, primary (contacts.email_normalized) or secondary (here), never two contacts'.
create table leads.contact_emails (
  tenant_id         uuid        not null,
  email_normalized  text        not null,
  email             text        not null,
  contact_id        uuid        not null,
  added_at          timestamptz not null default now(),
  primary key (tenant_id, email_normalized),
  foreign key (tenant_id, contact_id) references leads.contacts (tenant_id, id) on delete cascade
);
create index ix_contact_emails_contact on leads.contact_emails (tenant_id, contact_id);
alter table leads.contact_emails enable row level security;
alter table leads.contact_emails force row level security;
create policy tenant_isolation on leads.contact_emails using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

-- Tombstones: a merged duplicate's id points to its survivor (chains are flattened as they form), with the duplicate as it was.
create table leads.contact_merges (
  tenant_id        uuid        not null,
  duplicate_id     uuid        not null,
  survivor_id      uuid        not null,
  duplicate_email  text,
  duplicate        jsonb       not null,
  fields           jsonb       not null default '{}'::jsonb,
  merged_by        text,
  merged_at        timestamptz not null default now(),
  primary key (tenant_id, duplicate_id),
  foreign key (tenant_id, survivor_id) references leads.contacts (tenant_id, id) on delete cascade
);
create index ix_contact_merges_survivor on leads.contact_merges (tenant_id, survivor_id);
alter table leads.contact_merges enable row level security;
alter table leads.contact_merges force row level security;
create policy tenant_isolation on leads.contact_merges using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

-- The duplicate finder's keys. An email's: lower-cased, without a +tag, and for Gmail without dots (one mailbox, many spellings).
-- A phone's: its digits, 00 read as +, the last ten digits (a number with and without its country code matches).
create function leads.email_match_key(p_email text) returns text language sql immutable parallel safe as $$
  select case
    when p_email is null or position('@' in p_email) = 0 then null
    else (with parts as (select split_part(lower(trim(p_email)), '@', 1) as local, split_part(lower(trim(p_email)), '@', 2) as domain)
          select case when domain in ('gmail.com', 'googlemail.com')
                      then replace(split_part(local, '+', 1), '.', '') || '@gmail.com'
                      else split_part(local, '+', 1) || '@' || domain end
          from parts)
  end
$$;

create function leads.phone_match_key(p_phone text) returns text language sql immutable parallel safe as $$
  select case when length(d) >= 7 then right(d, 10) else null end
  from (select regexp_replace(coalesce(p_phone, ''), '[^0-9]', '', 'g') as d) x
$$;

-- Every command another service sent (AddTag, ChangeLeadState…), once per command id, with its outcome: a command delivered
-- again under a new message id finds its row and is answered as before, never applied twice.
create table leads.command_log (
  tenant_id      uuid        not null,
  command_id     uuid        not null,
  command        text        not null,
  contact_id     uuid,
  contact_email  text,
  requested_by   text        not null,
  status         text        not null check (status in ('applied', 'failed')),
  reason         text,
  detail         text,
  http_status    integer,
  object_id      uuid,
  payload        jsonb       not null,
  received_at    timestamptz not null default now(),
  primary key (tenant_id, command_id)
);
create index ix_command_log_failed on leads.command_log (tenant_id, received_at desc, command_id desc) where status = 'failed';
alter table leads.command_log enable row level security;
alter table leads.command_log force row level security;
create policy tenant_isolation on leads.command_log using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());
