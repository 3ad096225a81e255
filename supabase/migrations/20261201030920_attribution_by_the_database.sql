-- Who changed a setting and who made an assignee group or added someone to it is the caller, as
-- the database knows them (lib/settings/write.ts, lib/groups/store.ts; docs/configuration.md,
-- docs/alert-triage.md).
--
-- Why: `authenticated` writes tenant_settings.changed_by / changed_at, assignee_groups.created_by /
-- created_at / updated_at and assignee_group_members.added_by / added_at, and nothing checked them.
-- Through SQL as a customer's admin (a Supabase Data API) one could lock a setting in the name of
-- the MSSP's admin, whom every "locked by <tenant> (<who>)" refusal and the settings pages then
-- named, or date a change back; and make groups or memberships in anyone's name.
--
-- Now, for `authenticated` (the service role, which restores archives with their own attribution,
-- and the owner are not held to it), BEFORE INSERT and UPDATE:
--   tenant_settings         changed_by = auth.uid(), changed_at = now(), on every insert and update
--                           (the app's own writes already say exactly this);
--   assignee_groups         on insert created_by = auth.uid(), created_at = updated_at = now();
--                           on update (a rename) created_by and created_at stay as they were;
--   assignee_group_members  added_by = auth.uid(), added_at = now() (no UPDATE is granted).
-- Whatever the statement said is overwritten, not refused, so a client that sends its own id
-- (lib/groups/store.ts sends claims.sub, the same person) keeps working.

create function settings.attribute_change() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if current_user::text = 'authenticated' then
    new.changed_by := auth.uid();
    new.changed_at := pg_catalog.now();
  end if;
  return new;
end
$$;
revoke all on function settings.attribute_change() from public, anon, authenticated, service_role, portal_app;
-- Fired in name order: before the lock and MSSP-only checks (which do not read these columns).
create trigger tenant_settings_0_attributed
  before insert or update on public.tenant_settings
  for each row execute function settings.attribute_change();

create function triage.attribute_group() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if current_user::text <> 'authenticated' then
    return new;
  end if;
  if tg_op = 'INSERT' then
    new.created_by := auth.uid();
    new.created_at := pg_catalog.now();
    new.updated_at := pg_catalog.now();
  else
    new.created_by := old.created_by;
    new.created_at := old.created_at;
  end if;
  return new;
end
$$;
revoke all on function triage.attribute_group() from public, anon, authenticated, service_role, portal_app;
create trigger assignee_groups_attributed
  before insert or update on public.assignee_groups
  for each row execute function triage.attribute_group();

create function triage.attribute_group_member() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if current_user::text = 'authenticated' then
    new.added_by := auth.uid();
    new.added_at := pg_catalog.now();
  end if;
  return new;
end
$$;
revoke all on function triage.attribute_group_member() from public, anon, authenticated, service_role, portal_app;
create trigger assignee_group_members_attributed
  before insert or update on public.assignee_group_members
  for each row execute function triage.attribute_group_member();
