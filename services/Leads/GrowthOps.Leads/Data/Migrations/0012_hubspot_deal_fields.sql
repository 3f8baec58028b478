-- HubSpot deals are kept as Leads deals (found by external_ids.hubspot): the name and close date HubSpot last sent, each with
-- HubSpot's occurredAt of the value stored (as stage and amount have), so a late older change does not overwrite a newer one.
alter table leads.hubspot_deals
  add column name           text,
  add column name_at        timestamptz,
  add column close_date     date,
  add column close_date_at  timestamptz;
