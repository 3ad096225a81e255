-- The API keys panel and the assignee groups section name people the caller
-- cannot see by name as the alert pages do (lib/people/standing.ts).
--
-- Why: both read "MSSP staff" for anyone RLS hides from the caller (the
-- users policy shows a person only through a membership in the caller's
-- tenants). For a key created by a former admin of the customer, or a site's
-- group holding the customer's admin, that was wrong; the alert pages already
-- say which (workflows.people_standing, 20261201029800).
--
-- What:
--   * tenancy.standing_at(tenant, person): one person's standing at one
--     tenant: 'mssp_staff' (an MSSP role on the tenant or an ancestor),
--     'member' (another role there), 'former' (none). Security invoker and
--     executable by no login role: only the definer functions below (running
--     as its owner) call it;
--   * workflows.people_standing: the same rule, now from that function;
--   * tenancy.people_standing_in(tenant): for a tenant the caller can see,
--     the standing of each person who created or revoked one of its API keys
--     or is in one of its own assignee groups. Only those people, one word
--     each: no arbitrary id can be asked about.
create function tenancy.standing_at(tenant uuid, person uuid)
  returns text
  language sql stable
  set search_path = pg_catalog, pg_temp
  as $$
  select case
           when exists (select 1 from public.memberships m
                          join public.tenants mt on mt.id = m.tenant_id
                          join public.tenants at on at.id = standing_at.tenant
                         where m.user_id = standing_at.person and m.role in ('mssp_admin', 'mssp_analyst')
                           and mt.path operator(extensions.@>) at.path) then 'mssp_staff'
           when exists (select 1 from public.memberships m
                          join public.tenants mt on mt.id = m.tenant_id
                          join public.tenants at on at.id = standing_at.tenant
                         where m.user_id = standing_at.person
                           and mt.path operator(extensions.@>) at.path) then 'member'
           else 'former'
         end
$$;
revoke all on function tenancy.standing_at(uuid, uuid) from public, anon, authenticated, service_role, portal_app;

create or replace function workflows.people_standing(alert_tenants uuid[], alert_ids uuid[], include_timeline boolean)
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
    select people.t, people.p, tenancy.standing_at(people.t, people.p)
      from people;
end
$$;

create function tenancy.people_standing_in(tenant uuid)
  returns table (person uuid, standing text)
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  with people as (
    select k.created_by as p from public.api_keys k where k.tenant_id = people_standing_in.tenant and k.created_by is not null
    union
    select k.revoked_by from public.api_keys k where k.tenant_id = people_standing_in.tenant and k.revoked_by is not null
    union
    select m.user_id from public.assignee_group_members m where m.tenant_id = people_standing_in.tenant
  )
  select people.p, tenancy.standing_at(people_standing_in.tenant, people.p)
    from people
   where people_standing_in.tenant = any (array(select tenancy.visible_tenant_ids()))
$$;
revoke all on function tenancy.people_standing_in(uuid) from public, anon, authenticated, service_role, portal_app;
grant execute on function tenancy.people_standing_in(uuid) to authenticated;
