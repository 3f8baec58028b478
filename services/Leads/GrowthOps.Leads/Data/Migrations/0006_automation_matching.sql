-- Which automations a state change triggers, in one place: the runner lists them with it, and the consumer asks first,
-- in a single statement, whether any exists (most state changes trigger none; then no inbox transaction is needed).
create function leads.automation_matches(a leads.lead_state_automations, p_from uuid, p_to uuid) returns boolean
  language sql stable as $$
  select a.is_active and (
    (a.trigger = 'on_enter' and a.state_id = p_to)
    or (a.trigger = 'on_exit' and a.state_id = p_from)
    or (a.trigger = 'on_transition' and (a.from_state_id is null or a.from_state_id = p_from)
        and (a.to_state_id is null or a.to_state_id = p_to)))
$$;

-- Sets the tenant for its own statement's transaction only (is_local), so it is safe on a pooled connection outside a transaction.
create function leads.automations_may_run(p_tenant uuid, p_from uuid, p_to uuid) returns boolean
  language plpgsql as $$
begin
  perform set_config('app.tenant_id', p_tenant::text, true);
  return exists (select 1 from leads.lead_state_automations a where leads.automation_matches(a, p_from, p_to));
end $$;
