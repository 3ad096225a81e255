-- Deleting an assignee group names it on the timeline of each alert it held (docs/alert-triage.md).
--
-- Why: the alerts' foreign key to the group is ON DELETE SET NULL, so their groups were cleared after
-- the group row was gone, and the timeline trigger (20261201011000 record_alert_group_change) found no
-- name: each alert's entry read "a group since deleted", where the admin looking back needs the name.
--
-- How: a BEFORE DELETE trigger on the group clears its alerts first, while the group still exists;
-- the foreign key then finds nothing to set null.
create function triage.ungroup_alerts_of_deleted_group() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  update public.alerts a set assigned_group_tenant_id = null, assigned_group_id = null
   where a.assigned_group_tenant_id = old.tenant_id and a.assigned_group_id = old.id;
  return old;
end
$$;
revoke all on function triage.ungroup_alerts_of_deleted_group() from public, anon, authenticated, service_role, portal_app;
create trigger assignee_groups_ungroup_alerts before delete on public.assignee_groups
  for each row execute function triage.ungroup_alerts_of_deleted_group();
