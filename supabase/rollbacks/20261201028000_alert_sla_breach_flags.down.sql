-- Rollback of 20261201028000_alert_sla_breach_flags: breaches are judged against today's targets again,
-- and the alerts lose their stored flags. The rollup functions go back to 20261201016000's text, with
-- 20261201027300's search_path (pg_catalog, pg_temp).
create or replace function analytics.delta_sql(src text) returns text
  language sql immutable
  set search_path = pg_catalog, pg_temp
  as $f$
    select format($q$
      with f as (select * from %s as src),
      skipped as (
        select t.tenant_id from (select distinct f.tenant_id from f) t
         where not exists (select 1 from public.tenants x where x.id = t.tenant_id)
            or (exists (select 1 from keyring.restore_grants) and keyring.restoring(t.tenant_id))
      ),
      a as (
        select f.s, f.tenant_id, f.severity, f.status, f.detected_at, f.resolved_at,
               (f.detected_at at time zone 'UTC')::date as det_day,
               case when f.status <> 'new' then coalesce(f.acknowledged_at,
                      case when f.status in ('resolved', 'false_positive') then f.resolved_at end) end as ack_at,
               f.status in ('resolved', 'false_positive') as is_closed
          from f where f.tenant_id not in (select tenant_id from skipped)
      ),
      targets as (
        select * from analytics.sla_targets(array(select distinct a.tenant_id from a where a.ack_at is not null or a.is_closed))
      ),
      c as (
        select a.s, a.tenant_id, a.det_day as day, a.severity, 1 as created, 0 as acknowledged, 0::bigint as tta,
               0 as closed, 0 as fp, 0 as ttr_n, 0::bigint as ttr, 0 as ack_b, 0 as res_b
          from a
        union all
        select a.s, a.tenant_id, greatest(a.det_day, (a.ack_at at time zone 'UTC')::date), a.severity, 0, 1,
               greatest(0, round(extract(epoch from a.ack_at - a.detected_at) * 1000))::bigint,
               0, 0, 0, 0::bigint,
               (a.severity <> 'info' and extract(epoch from a.ack_at - a.detected_at) > g.ack_minutes * 60)::int, 0
          from a left join targets g on g.tenant_id = a.tenant_id and g.severity = a.severity
         where a.ack_at is not null
        union all
        select a.s, a.tenant_id, greatest(a.det_day, (coalesce(a.resolved_at, a.detected_at) at time zone 'UTC')::date), a.severity,
               0, 0, 0::bigint, 1, (a.status = 'false_positive')::int, (a.resolved_at is not null)::int,
               coalesce(greatest(0, round(extract(epoch from a.resolved_at - a.detected_at) * 1000))::bigint, 0),
               0,
               coalesce((a.severity <> 'info' and extract(epoch from a.resolved_at - a.detected_at) > g.resolve_minutes * 60)::int, 0)
          from a left join targets g on g.tenant_id = a.tenant_id and g.severity = a.severity
         where a.is_closed
      ),
      d as (
        select c.tenant_id, c.day, c.severity,
               sum(c.s * c.created)::int as created, sum(c.s * c.acknowledged)::int as acknowledged, sum(c.s * c.tta)::bigint as tta,
               sum(c.s * c.closed)::int as closed, sum(c.s * c.fp)::int as fp, sum(c.s * c.ttr_n)::int as ttr_n,
               sum(c.s * c.ttr)::bigint as ttr, sum(c.s * c.ack_b)::int as ack_b, sum(c.s * c.res_b)::int as res_b
          from c group by c.tenant_id, c.day, c.severity
      ),
      daily as (
        insert into public.alert_daily_rollups as x
          (tenant_id, day, severity, created, acknowledged, tta_ms_sum, closed, false_positives, ttr_count, ttr_ms_sum, ack_breaches, resolve_breaches)
        select * from d
         where (created, acknowledged, tta, closed, fp, ttr_n, ttr, ack_b, res_b) <> (0, 0, 0, 0, 0, 0, 0, 0, 0)
         order by tenant_id, day, severity
        on conflict (tenant_id, day, severity) do update set
          created = x.created + excluded.created,
          acknowledged = x.acknowledged + excluded.acknowledged,
          tta_ms_sum = x.tta_ms_sum + excluded.tta_ms_sum,
          closed = x.closed + excluded.closed,
          false_positives = x.false_positives + excluded.false_positives,
          ttr_count = x.ttr_count + excluded.ttr_count,
          ttr_ms_sum = x.ttr_ms_sum + excluded.ttr_ms_sum,
          ack_breaches = x.ack_breaches + excluded.ack_breaches,
          resolve_breaches = x.resolve_breaches + excluded.resolve_breaches
        returning 1
      ),
      open as (
        insert into public.alert_open_counts as x (tenant_id, severity, open)
        select o.tenant_id, o.severity, o.n from (
          select a.tenant_id, a.severity, sum(a.s)::int as n from a
           where a.status in ('new', 'acknowledged', 'in_progress')
           group by a.tenant_id, a.severity) o
         where o.n <> 0
         order by o.tenant_id, o.severity
        on conflict (tenant_id, severity) do update set open = x.open + excluded.open
        returning 1
      )
      select (select count(*) from daily) + (select count(*) from open)
    $q$, src)
  $f$;

create or replace function analytics.alerts_inserted() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  execute analytics.delta_sql('(select 1 as s, tenant_id, severity, status, detected_at, acknowledged_at, resolved_at from new_alerts)');
  return null;
end
$$;

create or replace function analytics.alerts_deleted() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  src constant text := '(select -1 as s, tenant_id, severity, status, detected_at, acknowledged_at, resolved_at from old_alerts)';
begin
  execute analytics.delta_sql(src);
  execute analytics.prune_sql(src);
  return null;
end
$$;

-- Only rows whose counted columns changed: an assignment, a comment or a
-- title edit costs one join that finds nothing.
create or replace function analytics.alerts_updated() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  changed constant text := 'from old_alerts o join new_alerts n on n.tenant_id = o.tenant_id and n.id = o.id
    where (o.severity, o.status, o.detected_at, o.acknowledged_at, o.resolved_at)
          is distinct from (n.severity, n.status, n.detected_at, n.acknowledged_at, n.resolved_at)';
  src constant text := '(select -1 as s, o.tenant_id, o.severity, o.status, o.detected_at, o.acknowledged_at, o.resolved_at ' || changed ||
    ' union all select 1, n.tenant_id, n.severity, n.status, n.detected_at, n.acknowledged_at, n.resolved_at ' || changed || ')';
  any_changed boolean;
begin
  execute 'select exists (select 1 ' || changed || ')' into any_changed;
  if any_changed then
    execute analytics.delta_sql(src);
    execute analytics.prune_sql(src);
  end if;
  return null;
end
$$;

revoke execute on function analytics.delta_sql(text), analytics.alerts_inserted(), analytics.alerts_deleted(), analytics.alerts_updated()
  from public, anon, authenticated, service_role, portal_app;

drop trigger zz_alert_sla_breach on public.alerts;
drop function analytics.alert_breach_flags();
alter table public.alerts drop column ack_breached, drop column resolve_breached;
