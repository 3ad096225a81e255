-- An open alert stays assigned only to someone who may still be assigned it
-- (docs/alert-triage.md, "Assignee").
--
-- Why: the assignee rule (triage.is_assignable: an analyst or admin of the
-- alert's tenant or an ancestor) was checked when an alert was assigned, and
-- 20261201011000 kept group members eligible afterwards, but nothing did the
-- same for alerts.assigned_to. A removed analyst, one made a viewer, or MSSP
-- staff whose customer moved to another MSSP kept their open alerts: the list
-- read them as "MSSP staff" (a name the caller cannot see) and they dropped out
-- of "unassigned", so nobody picked them up.
--
-- What:
--   * memberships: after a delete, or a role lowered to one that is not
--     assignable, the person's open alerts in the membership's subtree where
--     they are no longer assignable are unassigned;
--   * tenants: after a move (a new path), the tenant's open alerts whose
--     assignee was eligible only through the old ancestors are unassigned
--     (fires for each tenant of a moved subtree, as tenants_prune_groups does);
--   * alerts: a closed alert reopened keeps its assignee only if still
--     assignable (closed alerts keep theirs: who handled it is history);
--   * existing open alerts with an ineligible assignee are unassigned once.
-- Each unassignment goes through the timeline trigger (workflow_timeline) like
-- any other: an 'assignment' entry, its actor the person whose change caused it
-- (the admin who removed the member), none for a job or this migration.
-- A person deleted outright needs none of this: alerts.assigned_to is ON
-- DELETE SET NULL, and a timeline entry could not name a deleted user.
--
-- workflows.people_standing: for the alert pages, what an assignee (or a
-- timeline's person) the caller cannot see by name is, so they are labelled
-- honestly: MSSP staff covering the alert's tenant, a member of a tenant above
-- the caller's, or a former member (no membership covering the alert's tenant
-- any more). Security definer because those memberships are out of the
-- caller's sight; it answers only about the people on alerts of tenants the
-- caller can see, and says nothing more than which of the three they are.

-- ---------------------------------------------------------------------------
-- Unassigning
-- ---------------------------------------------------------------------------
create function triage.unassign_alerts_of_member() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  -- The person is being deleted (a cascade): the foreign key clears their alerts.
  if not exists (select 1 from public.users u where u.id = old.user_id) then
    return null;
  end if;
  -- Only where this membership reached: its tenant's subtree (alerts_tenant_assignee per tenant).
  update public.alerts a set assigned_to = null
    from public.tenants m, public.tenants t
   where m.id = old.tenant_id
     and t.path operator(extensions.<@) m.path
     and a.tenant_id = t.id
     and a.assigned_to = old.user_id
     and a.status in ('new', 'acknowledged', 'in_progress')
     and not triage.is_assignable(a.tenant_id, a.assigned_to);
  return null;
end
$$;
create trigger memberships_unassign_alerts after delete on public.memberships
  for each row execute function triage.unassign_alerts_of_member();
create trigger memberships_unassign_alerts_on_downgrade after update of role on public.memberships
  for each row
  when (new.role not in ('mssp_admin', 'mssp_analyst', 'tenant_admin', 'tenant_analyst'))
  execute function triage.unassign_alerts_of_member();

create function triage.unassign_alerts_after_move() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  update public.alerts a set assigned_to = null
   where a.tenant_id = new.id
     and a.assigned_to is not null
     and a.status in ('new', 'acknowledged', 'in_progress')
     and not triage.is_assignable(a.tenant_id, a.assigned_to);
  return null;
end
$$;
create trigger tenants_unassign_alerts after update on public.tenants
  for each row when (old.path::text is distinct from new.path::text)
  execute function triage.unassign_alerts_after_move();

-- Reopening: BEFORE, after workflow_guard (triggers fire by name), so the
-- timeline trigger sees the assignee change with the status change.
create function triage.unassign_reopened_alert() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if not triage.is_assignable(new.tenant_id, new.assigned_to) then
    new.assigned_to := null;
  end if;
  return new;
end
$$;
create trigger workflow_reopen_unassign before update of status on public.alerts
  for each row
  when (old.status in ('resolved', 'false_positive') and new.status in ('new', 'acknowledged', 'in_progress')
        and new.assigned_to is not null and new.assigned_to is not distinct from old.assigned_to)
  execute function triage.unassign_reopened_alert();

revoke all on function triage.unassign_alerts_of_member(), triage.unassign_alerts_after_move(), triage.unassign_reopened_alert()
  from public, anon, authenticated, service_role, portal_app;

-- Open alerts already assigned to someone no longer eligible.
update public.alerts a set assigned_to = null
 where a.assigned_to is not null
   and a.status in ('new', 'acknowledged', 'in_progress')
   and not triage.is_assignable(a.tenant_id, a.assigned_to);

-- ---------------------------------------------------------------------------
-- Labelling people the caller cannot see
-- ---------------------------------------------------------------------------
-- For the given alerts (by full key) of tenants the caller can see: their
-- assignee, and with include_timeline the people of their timelines, each with
-- its standing at the alert's tenant: 'mssp_staff' (an MSSP role on the tenant
-- or an ancestor), 'member' (another role there), 'former' (none).
create function workflows.people_standing(alert_tenants uuid[], alert_ids uuid[], include_timeline boolean)
  returns table (tenant_id uuid, person uuid, standing text)
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
#variable_conflict use_column
begin
  return query
    with keys as (
      select k.t, k.a
        from unnest(alert_tenants, alert_ids) as k(t, a)
       where k.t = any (array(select tenancy.visible_tenant_ids()))
    ),
    people as (
      select al.tenant_id as t, al.assigned_to as p
        from keys join public.alerts al on al.tenant_id = keys.t and al.id = keys.a
       where al.assigned_to is not null
      union
      select e.tenant_id, x.p
        from keys join public.alert_events e on e.tenant_id = keys.t and e.alert_id = keys.a
        cross join lateral (values (e.actor_id), (e.from_assignee), (e.to_assignee)) as x(p)
       where include_timeline and x.p is not null
    )
    select people.t, people.p,
           case
             when exists (select 1 from public.memberships m
                            join public.tenants mt on mt.id = m.tenant_id
                            join public.tenants at on at.id = people.t
                           where m.user_id = people.p and m.role in ('mssp_admin', 'mssp_analyst')
                             and mt.path operator(extensions.@>) at.path) then 'mssp_staff'
             when exists (select 1 from public.memberships m
                            join public.tenants mt on mt.id = m.tenant_id
                            join public.tenants at on at.id = people.t
                           where m.user_id = people.p
                             and mt.path operator(extensions.@>) at.path) then 'member'
             else 'former'
           end
      from people;
end
$$;
revoke all on function workflows.people_standing(uuid[], uuid[], boolean) from public, anon, authenticated, service_role, portal_app;
grant execute on function workflows.people_standing(uuid[], uuid[], boolean) to authenticated;
