-- Templates: a derived text body is marked as such; design JSON is kept exactly as the editor sent it; versions are immutable.

-- text_generated: the text body was derived from the HTML (none was given); a later save without text derives it again.
alter table email.templates add column text_generated boolean not null default false;
alter table email.template_versions add column text_generated boolean not null default false;
alter table email.template_versions add column restored_from integer;

-- json, not jsonb: the editor's design comes back as it was sent (jsonb would reorder keys and drop duplicates), and nothing
-- queries inside it.
alter table email.templates alter column design type json using design::json;
alter table email.template_versions alter column design type json using design::json;

-- Newest first with keyset paging, archived ones apart; search is over name and subject.
create index ix_templates_list on email.templates (tenant_id, archived, created_at desc, id desc);

-- A campaign that sends a version must always find it as it was: a version is never changed, only deleted with its template.
create function email.template_versions_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'a template version is immutable (template %, version %)', old.template_id, old.version using errcode = 'P0001';
end $$;
create trigger template_versions_immutable before update on email.template_versions
  for each row execute function email.template_versions_immutable();
