-- An alert keeps whether it breached its SLA targets, decided when each clock stopped (issue 13,
-- point 2: rollups stay exact).
--
-- Why: the rollups (20261201016000) count a breach against the targets in force when the clock
-- stopped, but took one away against the targets in force when the alert was deleted, reopened or
-- re-triaged. After a target change the two differ: a purge or a reopen left breach counts that no
-- alert explains (negative ones included), and rows of a purged day that could never be pruned.
--
-- How: public.alerts.ack_breached / resolve_breached, set by a BEFORE row trigger (named to run
-- after the other BEFORE triggers, which may set the clocks' times) whenever a clock's stop time,
-- the severity or the detection time changes, against the targets of that moment
-- (analytics.sla_targets); kept as they were by any other update. Null while the clock runs. The
-- rollup triggers add and take away the stored flags; a stopped clock with no flag (an alert
-- stopped before this migration, or restored from an older archive) is judged against today's
-- targets, as before.
--
-- Who may give the flags: a transaction of the service role (an archive restore: the archive's
-- flags) or of the table's owner outside SET ROLE (the scale seed, which computes them set-wise for
-- millions of rows) that sets analytics.breach_flags_given to 'on'; then the rows' flags stand as
-- written. Anyone else's are decided here. Whoever could set the service role could already write
-- every row.
--
-- Cost: a clock that stops (an acknowledgement, a close, an imported closed alert) reads the
-- tenant's targets once, ~0.2 ms; ingestion inserts open alerts and pays nothing.

alter table public.alerts
  add column ack_breached boolean,
  add column resolve_breached boolean;
comment on column public.alerts.ack_breached is
  'Past the acknowledge target when acknowledged (targets of that moment); null while unacknowledged (20261201028000).';
comment on column public.alerts.resolve_breached is
  'Past the resolve target when closed (targets of that moment); null while open or closed without a time (20261201028000).';

create function analytics.alert_breach_flags() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  ack_at timestamptz := case when new.status <> 'new' then coalesce(new.acknowledged_at,
                          case when new.status in ('resolved', 'false_positive') then new.resolved_at end) end;
  res_at timestamptz := case when new.status in ('resolved', 'false_positive') then new.resolved_at end;
  old_ack_at timestamptz;
  old_res_at timestamptz;
  same_basis boolean := false;
  need_ack boolean;
  need_res boolean;
  target record;
begin
  if current_setting('analytics.breach_flags_given', true) = 'on'
     and (current_setting('role') = 'service_role'
          or (current_setting('role') = 'none'
              and pg_has_role(session_user, (select c.relowner from pg_class c where c.oid = tg_relid), 'MEMBER'))) then
    -- Given by a loader that decided them (a restore, the scale seed): they stand, none while a clock runs.
    if ack_at is null then new.ack_breached := null; end if;
    if res_at is null then new.resolve_breached := null; end if;
    return new;
  end if;

  if tg_op = 'UPDATE' then
    old_ack_at := case when old.status <> 'new' then coalesce(old.acknowledged_at,
                    case when old.status in ('resolved', 'false_positive') then old.resolved_at end) end;
    old_res_at := case when old.status in ('resolved', 'false_positive') then old.resolved_at end;
    same_basis := new.severity = old.severity and new.detected_at = old.detected_at;
  end if;

  -- A clock that runs has no flag; one that stopped at the same moment, on the same basis, keeps its
  -- flag (whatever the statement wrote); any other stopped clock is decided now.
  need_ack := false;
  if ack_at is null then
    new.ack_breached := null;
  elsif tg_op = 'UPDATE' and same_basis and ack_at = old_ack_at then
    new.ack_breached := old.ack_breached;
  else
    need_ack := true;
  end if;
  need_res := false;
  if res_at is null then
    new.resolve_breached := null;
  elsif tg_op = 'UPDATE' and same_basis and res_at = old_res_at then
    new.resolve_breached := old.resolve_breached;
  else
    need_res := true;
  end if;
  if need_ack or need_res then
    if new.severity = 'info' then
      -- Info alerts have no targets: never a breach.
      if need_ack then new.ack_breached := false; end if;
      if need_res then new.resolve_breached := false; end if;
    else
      select g.ack_minutes, g.resolve_minutes into target
        from analytics.sla_targets(array[new.tenant_id]) g where g.severity = new.severity;
      if need_ack then new.ack_breached := extract(epoch from ack_at - new.detected_at) > target.ack_minutes * 60; end if;
      if need_res then new.resolve_breached := extract(epoch from res_at - new.detected_at) > target.resolve_minutes * 60; end if;
    end if;
  end if;
  return new;
end
$$;
revoke all on function analytics.alert_breach_flags() from public, anon, authenticated, service_role, portal_app;

create trigger zz_alert_sla_breach before insert or update on public.alerts
  for each row execute function analytics.alert_breach_flags();

-- delta_sql as 20261201016000 made it, but counting the stored flags; today's targets are read only
-- for a stopped clock without one.
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
        select f.s, f.tenant_id, f.severity, f.status, f.detected_at, f.resolved_at, f.ack_breached, f.resolve_breached,
               (f.detected_at at time zone 'UTC')::date as det_day,
               case when f.status <> 'new' then coalesce(f.acknowledged_at,
                      case when f.status in ('resolved', 'false_positive') then f.resolved_at end) end as ack_at,
               f.status in ('resolved', 'false_positive') as is_closed
          from f where f.tenant_id not in (select tenant_id from skipped)
      ),
      targets as (
        select * from analytics.sla_targets(array(
          select distinct a.tenant_id from a
           where (a.ack_at is not null and a.ack_breached is null)
              or (a.is_closed and a.resolved_at is not null and a.resolve_breached is null)))
      ),
      c as (
        select a.s, a.tenant_id, a.det_day as day, a.severity, 1 as created, 0 as acknowledged, 0::bigint as tta,
               0 as closed, 0 as fp, 0 as ttr_n, 0::bigint as ttr, 0 as ack_b, 0 as res_b
          from a
        union all
        select a.s, a.tenant_id, greatest(a.det_day, (a.ack_at at time zone 'UTC')::date), a.severity, 0, 1,
               greatest(0, round(extract(epoch from a.ack_at - a.detected_at) * 1000))::bigint,
               0, 0, 0, 0::bigint,
               coalesce(a.ack_breached,
                        a.severity <> 'info' and extract(epoch from a.ack_at - a.detected_at) > g.ack_minutes * 60)::int, 0
          from a left join targets g on g.tenant_id = a.tenant_id and g.severity = a.severity
         where a.ack_at is not null
        union all
        select a.s, a.tenant_id, greatest(a.det_day, (coalesce(a.resolved_at, a.detected_at) at time zone 'UTC')::date), a.severity,
               0, 0, 0::bigint, 1, (a.status = 'false_positive')::int, (a.resolved_at is not null)::int,
               coalesce(greatest(0, round(extract(epoch from a.resolved_at - a.detected_at) * 1000))::bigint, 0),
               0,
               coalesce((a.resolved_at is not null and coalesce(a.resolve_breached,
                         a.severity <> 'info' and extract(epoch from a.resolved_at - a.detected_at) > g.resolve_minutes * 60))::int, 0)
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

-- The three rollup triggers as before, with the flags in the rows they hand to delta_sql.
create or replace function analytics.alerts_inserted() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  execute analytics.delta_sql('(select 1 as s, tenant_id, severity, status, detected_at, acknowledged_at, resolved_at, ack_breached, resolve_breached from new_alerts)');
  return null;
end
$$;

create or replace function analytics.alerts_deleted() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  src constant text := '(select -1 as s, tenant_id, severity, status, detected_at, acknowledged_at, resolved_at, ack_breached, resolve_breached from old_alerts)';
begin
  execute analytics.delta_sql(src);
  execute analytics.prune_sql(src);
  return null;
end
$$;

create or replace function analytics.alerts_updated() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  changed constant text := 'from old_alerts o join new_alerts n on n.tenant_id = o.tenant_id and n.id = o.id
    where (o.severity, o.status, o.detected_at, o.acknowledged_at, o.resolved_at, o.ack_breached, o.resolve_breached)
          is distinct from (n.severity, n.status, n.detected_at, n.acknowledged_at, n.resolved_at, n.ack_breached, n.resolve_breached)';
  src constant text := '(select -1 as s, o.tenant_id, o.severity, o.status, o.detected_at, o.acknowledged_at, o.resolved_at, o.ack_breached, o.resolve_breached ' || changed ||
    ' union all select 1, n.tenant_id, n.severity, n.status, n.detected_at, n.acknowledged_at, n.resolved_at, n.ack_breached, n.resolve_breached ' || changed || ')';
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
