-- The trigger index carries each workflow's re-entry policy, so the watcher reads one index per event and no workflow rows:
-- a join to cortex.workflows made PostgreSQL hash the tenant's whole workflow table for every event (0.55 ms at 1,000 workflows).
-- Kept in step by WorkflowsStore (SetTriggerAsync copies it, UpdateAsync follows changes).
alter table cortex.workflow_triggers add column reentry text not null default 'once_per_contact'
  check (reentry in ('once_per_contact', 'once_per_days', 'always'));
alter table cortex.workflow_triggers add column reentry_days integer;
update cortex.workflow_triggers t set reentry = w.reentry, reentry_days = w.reentry_days
  from cortex.workflows w where w.tenant_id = t.tenant_id and w.id = t.workflow_id;
