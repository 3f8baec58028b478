-- Read models elsewhere (Segments) keep copies of contacts built from events that can arrive late, twice or out of order:
-- every change of a contact bumps its version in the same statement (a trigger, so no UPDATE can forget it), and each
-- snapshot Leads publishes carries it.
alter table leads.contacts
  add column version         bigint           not null default 1,
  add column email_verified  boolean          not null default false,
  -- 0–100, see leads.contact_ai_score; written by the trigger below whenever one of its inputs changes.
  add column ai_score        integer          check (ai_score between 0 and 100),
  -- Engagement kept incrementally, so an activity costs no read of the contact's history: the sum over its activities of
  -- 2^(-age / half-life), as of engagement_at (the latest activity), and how many activities it has in all.
  add column engagement      double precision not null default 0,
  add column engagement_at   timestamptz,
  add column activity_count  bigint           not null default 0;

-- The engagement half-life of the AI score: an activity counts half as much after 14 days, a quarter after 28. In floating
-- point throughout, capped at 1,000 half-lives (38 years: an activity dated 1970 would underflow, which is an error).
create function leads.decay(p_age interval) returns double precision language sql immutable parallel safe as $$
  select power(2.0::double precision, -least(greatest(extract(epoch from p_age)::double precision, 0) / (14 * 86400.0), 1000))
$$;

-- The AI score's features, in this order (leads.score_feature_names), from what is known of a contact and its engagement at the
-- moment scored: fit (company, phone, an email domain that is not free mail, a job title, a senior one, where it came from)
-- and engagement (time-decayed activity, how many activities). Live scoring and training both read them from here.
create function leads.score_features(p_email text, p_phone text, p_company text, p_source text, p_channel text, p_attributes jsonb,
  p_engagement double precision, p_activities bigint) returns double precision[] language sql immutable parallel safe as $$
  with c as (
    select lower(split_part(coalesce(p_email, ''), '@', 2)) as domain,
           lower(coalesce(p_channel, '') || ' ' || coalesce(p_source, '')) as origin,
           lower(coalesce(p_attributes ->> 'job_title', p_attributes ->> 'jobtitle', p_attributes ->> 'title', p_attributes ->> 'role',
             p_attributes ->> 'position', '')) as title)
  select array[
    (nullif(trim(coalesce(p_company, '')), '') is not null)::int,
    (nullif(trim(coalesce(p_phone, '')), '') is not null)::int,
    (domain <> '' and domain <> all (array['gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'ymail.com', 'hotmail.com',
      'hotmail.co.uk', 'hotmail.fr', 'outlook.com', 'live.com', 'msn.com', 'aol.com', 'icloud.com', 'me.com', 'mac.com', 'proton.me',
      'protonmail.com', 'gmx.com', 'gmx.de', 'gmx.net', 'web.de', 'mail.com', 'mail.ru', 'yandex.ru', 'yandex.com', 'zoho.com', 'qq.com',
      '163.com', '126.com', 't-online.de', 'orange.fr', 'free.fr', 'laposte.net', 'libero.it', 'seznam.cz', 'fastmail.com']))::int,
    (trim(title) <> '')::int,
    (title ~ '\m(chief|ceo|cto|cfo|coo|cmo|founder|co-?founder|owner|president|vp|vice president|director|head|partner|principal)\M')::int,
    (origin ~ '(referr|partner|word.of.mouth|affiliate)')::int,
    (origin ~ '(paid|cpc|ppc|\mads?\M|adwords|sponsored)')::int,
    (origin ~ '(organic|seo|direct|website|blog|content)')::int,
    (origin ~ '(event|webinar|conference|trade.?show|meetup)')::int,
    -- Below 1e-9 (an activity decades old) engagement counts as none: a weight times a subnormal number could underflow, an error.
    case when coalesce(p_engagement, 0) < 1e-9 then 0 else ln(1 + p_engagement) end,
    ln(1 + greatest(coalesce(p_activities, 0), 0))
  ]::double precision[] from c
$$;

create function leads.score_feature_names() returns text[] language sql immutable parallel safe as $$
  select array['has_company', 'has_phone', 'business_email', 'has_job_title', 'senior_title', 'origin_referral', 'origin_paid',
    'origin_organic', 'origin_event', 'engagement', 'activity_frequency']
$$;

-- Weights of the score when a tenant has too little won/lost history to calibrate its own: the intercept, then one per feature.
create function leads.default_score_weights() returns double precision[] language sql immutable parallel safe as $$
  select array[-3.0, 0.5, 0.4, 0.8, 0.3, 0.5, 0.8, 0.2, 0.3, 0.4, 1.2, 0.3]::double precision[]
$$;

-- A tenant's last training: its measured quality, and the weights the score uses (the calibrated ones, or the defaults when
-- there was too little history or they ranked held-out contacts better).
create table leads.scoring_models (
  tenant_id          uuid               primary key,
  model              text               not null check (model in ('default', 'calibrated')),
  weights            double precision[] not null,
  feature_names      text[]             not null,
  calibrated_weights double precision[],
  training_contacts  integer            not null,
  held_out_contacts  integer            not null,
  won                integer            not null,
  lost               integer            not null,
  auc                double precision,
  default_auc        double precision,
  reason             text               not null,
  trained_at         timestamptz        not null
);
alter table leads.scoring_models enable row level security;
alter table leads.scoring_models force row level security;
create policy tenant_isolation on leads.scoring_models using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

-- The score: 100 × the logistic of the weights over [1, features], with the tenant's weights when it has a model of this
-- feature set (a later change of the features makes older models fall back to the defaults until retrained).
create function leads.score(p_features double precision[], p_weights double precision[]) returns integer language sql immutable parallel safe as $$
  select round(100.0 / (1 + exp(-least(greatest(p_weights[1] + coalesce(sum(w * x), 0), -50), 50))))::integer
  from unnest(p_weights[2:], p_features) as f(w, x)
$$;

create function leads.score_weights(p_tenant uuid) returns double precision[] language sql stable as $$
  select coalesce((select m.weights from leads.scoring_models m
                   where m.tenant_id = p_tenant and cardinality(m.weights) = cardinality(leads.default_score_weights())),
                  leads.default_score_weights())
$$;

-- A contact's score now: its engagement decayed from its latest activity to this moment.
create function leads.contact_ai_score(c leads.contacts) returns integer language sql stable as $$
  select leads.score(leads.score_features(c.email, c.phone, c.company, c.source, c.channel, c.attributes,
    c.engagement * coalesce(leads.decay(now() - c.engagement_at), 0), c.activity_count), leads.score_weights(c.tenant_id))
$$;

-- Every write of a contact bumps its version; the score is recomputed when one of its inputs changed (a state change, the
-- hot path, leaves it alone; re-scoring after a training sets ai_score itself, which is kept).
create function leads.contact_before_write() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' then
    new.version := old.version + 1;
    if new.email is not distinct from old.email and new.phone is not distinct from old.phone and new.company is not distinct from old.company
       and new.source is not distinct from old.source and new.channel is not distinct from old.channel
       and new.attributes is not distinct from old.attributes and new.engagement is not distinct from old.engagement
       and new.engagement_at is not distinct from old.engagement_at and new.activity_count is not distinct from old.activity_count then
      return new;
    end if;
  else
    new.version := 1;
  end if;
  new.ai_score := leads.contact_ai_score(new);
  return new;
end $$;

create trigger contacts_before_write before insert or update on leads.contacts
  for each row execute function leads.contact_before_write();

-- Existing contacts of every tenant: engagement from their activities, then a score. The migration runs as the tables' owner,
-- whom row-level security binds only while forced: lifted for these two statements, in this script's transaction.
alter table leads.contacts no force row level security;
alter table leads.activities no force row level security;
alter table leads.scoring_models no force row level security;
update leads.contacts c set engagement = coalesce(a.engagement, 0), engagement_at = a.last_at, activity_count = coalesce(a.n, 0)
from (select x.tenant_id, x.contact_id, max(x.occurred_at) as last_at, count(*) as n,
             sum(leads.decay(l.last_at - x.occurred_at)) as engagement
      from leads.activities x
      join (select tenant_id, contact_id, max(occurred_at) as last_at from leads.activities group by tenant_id, contact_id) l
        on l.tenant_id = x.tenant_id and l.contact_id = x.contact_id
      group by x.tenant_id, x.contact_id) a
where a.tenant_id = c.tenant_id and a.contact_id = c.id;
update leads.contacts c set ai_score = leads.contact_ai_score(c) where ai_score is null;
alter table leads.contacts force row level security;
alter table leads.activities force row level security;
alter table leads.scoring_models force row level security;

-- Republishing snapshots (RepublishContactSnapshots): how far each request has got in each tenant, so a command sent again
-- under the same request id resumes rather than starting over, and a page is published once.
create table leads.snapshot_republish (
  tenant_id  uuid        not null,
  request_id uuid        not null,
  page_size  integer     not null,
  next_page  integer     not null default 1,
  after_id   uuid,
  done       boolean     not null default false,
  created    timestamptz not null default now(),
  updated    timestamptz not null default now(),
  primary key (tenant_id, request_id)
);
alter table leads.snapshot_republish enable row level security;
alter table leads.snapshot_republish force row level security;
create policy tenant_isolation on leads.snapshot_republish using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

-- Work for every tenant (a republish or a training for all) starts from the list of tenants, which row-level security hides
-- from a transaction of no tenant. Inside this function (and only there) the ids may be read; nothing else of any tenant.
create policy tenant_listing on leads.tenants for select using (current_setting('app.tenant_listing', true) = 'on');

create function leads.list_tenants() returns setof uuid language plpgsql as $$
begin
  perform set_config('app.tenant_listing', 'on', true);
  return query select t.tenant_id from leads.tenants t order by t.tenant_id;
  perform set_config('app.tenant_listing', '', true);
end $$;
