-- Rollback of 20261201030000_people_standing_in_tenant: the keys panel and groups section go back to
-- reading "MSSP staff" for anyone hidden; workflows.people_standing gets its own case expression back.
drop function tenancy.people_standing_in(uuid);
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
drop function tenancy.standing_at(uuid, uuid);
