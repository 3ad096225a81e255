-- Rollback of 20261201010000_api_keys: the keys go (every key stops working),
-- with the key claims function, the api schema and tenancy.api_key_id(); the
-- RLS helpers are again as 20261130000400_tenant_lifecycle made them, and the
-- alert timeline trigger as 20261201002000_alert_triage made it.
create or replace function tenancy.visible_tenant_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
  as $$
    with me as (select auth.uid() as uid, tenancy.active_tenant_id() as active),
    roots as (
      select mt.path
        from public.memberships m
        join public.tenants mt on mt.id = m.tenant_id
       where m.user_id = (select uid from me)
         -- A membership at or below a tenant that is not active opens nothing:
         -- its users are locked out; staff above it still see it.
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and mt.path operator(extensions.<@) s.path)
    ),
    scope as (
      select a.path from public.tenants a where a.id = (select active from me)
      union all
      select r.path from roots r where (select active from me) is null
    )
    select distinct t.id
      from scope s
      join public.tenants t on t.path operator(extensions.<@) s.path
     where exists (select 1 from roots r where t.path operator(extensions.<@) r.path)
  $$;

create or replace function tenancy.tenant_ids_with_role(roles text[]) returns setof uuid
  language sql stable security definer
  set search_path = ''
  as $$
    with me as (select auth.uid() as uid, tenancy.active_tenant_id() as active),
    roots as (
      select mt.path
        from public.memberships m
        join public.tenants mt on mt.id = m.tenant_id
       where m.user_id = (select uid from me) and m.role = any (roles)
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and mt.path operator(extensions.<@) s.path)
    ),
    scope as (
      select a.path from public.tenants a where a.id = (select active from me)
      union all
      select r.path from roots r where (select active from me) is null
    )
    select distinct t.id
      from scope s
      join public.tenants t on t.path operator(extensions.<@) s.path
     where exists (select 1 from roots r where t.path operator(extensions.<@) r.path)
  $$;

create or replace function triage.record_alert_change() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  -- A connection that once ran withTenant holds '' here after the transaction
  -- (SET LOCAL reverts to empty, not to unset): no claims, no actor.
  actor uuid := nullif(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', '')::uuid;
begin
  if new.status is distinct from old.status then
    insert into public.alert_events (tenant_id, alert_id, kind, actor_id, from_status, to_status, body)
    values (new.tenant_id, new.id, 'status', actor, old.status, new.status,
            case when new.status in ('resolved', 'false_positive') then new.close_reason end);
  end if;
  if new.assigned_to is distinct from old.assigned_to then
    insert into public.alert_events (tenant_id, alert_id, kind, actor_id, from_assignee, to_assignee)
    values (new.tenant_id, new.id, 'assignment', actor, old.assigned_to, new.assigned_to);
  end if;
  return null;
end
$$;

drop function if exists public.api_key_access_token(jsonb);
drop table if exists public.api_keys;
drop function if exists tenancy.api_key_id();
drop schema if exists api cascade;
