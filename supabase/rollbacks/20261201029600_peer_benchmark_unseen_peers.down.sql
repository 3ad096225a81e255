-- Rollback of 20261201029600_peer_benchmark_unseen_peers: analytics.peer_benchmark ranks the
-- customer among every other customer of its MSSP again (the caller's own other customers counted),
-- answers each group on its own with its exact size, and sums the customer's whole subtree. The body
-- is 20261201016500's, byte for byte, with the search_path 20261201027300 gave it, and its grants.
drop function analytics.peer_benchmark(uuid, text, date, date, uuid[]);

create function analytics.peer_benchmark(p_tenant uuid, p_group text, p_from date, p_to date)
  returns table (metric text, own_value double precision, percentile integer, group_size integer, status text)
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me public.tenants;
  own_industry text;
  own_band text;
  candidates uuid[];
begin
  if p_group is null or p_group not in ('all', 'industry', 'size') then
    raise exception 'unknown peer group' using errcode = '22023';
  end if;
  if p_from is null or p_to is null or p_from >= p_to or p_to - p_from > 366 then
    raise exception 'a range is 1 to 366 days, from before to' using errcode = '22023';
  end if;
  -- Only for an active customer the caller holds a benchmark role on (itself or an ancestor).
  select t.* into me
    from public.tenants t
   where t.id = p_tenant and t.kind = 'customer' and t.status = 'active'
     and t.id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,mssp_analyst,tenant_admin}')));
  if not found then
    return;
  end if;

  select array_agg(c.id) into candidates
    from public.tenants c
   where c.parent_id = me.parent_id and c.kind = 'customer' and c.status in ('active', 'suspended');

  if p_group = 'industry' then
    select coalesce((
      select r.value #>> '{}' from settings.resolve(array[me.id]) r where r.tenant_id = me.id and r.key = 'profile.industry'
    ), 'unspecified') into own_industry;
    if own_industry = 'unspecified' then
      return query select m, null::double precision, null::integer, null::integer, 'no_industry'::text
        from unnest(array['alerts_per_asset', 'critical_per_asset', 'mtta_minutes', 'mttr_minutes', 'sla_breach_rate', 'open_per_asset']) m;
      return;
    end if;
    select array_agg(c.id) into candidates
      from unnest(candidates) c(id)
      left join (select r.tenant_id, r.value #>> '{}' as industry
                   from settings.resolve(candidates) r where r.key = 'profile.industry') s on s.tenant_id = c.id
     where coalesce(s.industry, 'unspecified') = own_industry;
  end if;

  return query
  with m as (
    select * from analytics.customer_metrics(candidates, p_from, p_to)
  ), grp as (
    select m.* from m
     where p_group <> 'size'
        or m.size_band = (select m2.size_band from m m2 where m2.customer_id = me.id)
  ), v as (
    select g.customer_id, x.metric, x.value
      from grp g
     cross join lateral (values
       ('alerts_per_asset', g.alerts_per_asset), ('critical_per_asset', g.critical_per_asset),
       ('mtta_minutes', g.mtta_minutes), ('mttr_minutes', g.mttr_minutes),
       ('sla_breach_rate', g.sla_breach_rate), ('open_per_asset', g.open_per_asset)) x(metric, value)
  ), own as (
    select v.metric, v.value from v where v.customer_id = me.id
  ), ranked as (
    select o.metric, o.value as own_value,
           count(*) filter (where v.customer_id <> me.id and v.value is not null) as peers,
           count(*) filter (where v.customer_id <> me.id and v.value > o.value) as worse,
           count(*) filter (where v.customer_id <> me.id and v.value = o.value) as tied
      from own o join v on v.metric = o.metric
     group by o.metric, o.value
  )
  select r.metric, r.own_value,
         case when r.own_value is not null and r.peers + 1 >= 5
              then round(100 * (r.worse + 0.5 * r.tied) / r.peers)::integer end,
         case when r.own_value is not null and r.peers + 1 >= 5 then (r.peers + 1)::integer end,
         case when r.own_value is null then 'no_value' when r.peers + 1 >= 5 then 'ok' else 'too_few_peers' end
    from ranked r
   order by array_position(array['alerts_per_asset', 'critical_per_asset', 'mtta_minutes', 'mttr_minutes', 'sla_breach_rate', 'open_per_asset'], r.metric);
end
$$;

revoke all on function analytics.peer_benchmark(uuid, text, date, date) from public, anon, authenticated, service_role, portal_app;
grant execute on function analytics.peer_benchmark(uuid, text, date, date) to authenticated;
