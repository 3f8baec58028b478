-- Next-state predictions (D19), served from cache while unexpired and the contact is still in from_state, and scored
-- when the contact next leaves from_state (outcome_state_id, correct). State ids carry no foreign key, as in the history:
-- deleting a state must not be blocked by old predictions.
create table leads.lead_state_predictions (
  tenant_id          uuid             not null,
  id                 uuid             not null,
  contact_id         uuid             not null,
  from_state_id      uuid             not null,
  predicted_state_id uuid             not null,
  probabilities      jsonb            not null,
  confidence         double precision not null,
  features           jsonb            not null,
  model              text             not null,
  created            timestamptz      not null default now(),
  expires_at         timestamptz      not null,
  outcome_state_id   uuid,
  outcome_at         timestamptz,
  correct            boolean,
  primary key (tenant_id, id),
  foreign key (tenant_id, contact_id) references leads.contacts (tenant_id, id) on delete cascade
);
create index ix_predictions_contact on leads.lead_state_predictions (tenant_id, contact_id, created desc, id desc);
alter table leads.lead_state_predictions enable row level security;
alter table leads.lead_state_predictions force row level security;
create policy tenant_isolation on leads.lead_state_predictions
  using (tenant_id = leads.current_tenant()) with check (tenant_id = leads.current_tenant());

-- Stats count the transitions of the last 30 days.
create index if not exists ix_history_occurred_at on leads.lead_state_history (tenant_id, occurred_at);
