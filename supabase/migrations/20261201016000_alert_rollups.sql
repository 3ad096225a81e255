-- Alert rollups for the dashboards (issue 13, point 2; lib/analytics,
-- docs/console.md). Exact at every commit: statement-level AFTER triggers on
-- public.alerts read the statement's transition tables and add the
-- difference, so an ingest batch of 500 rows costs one grouped upsert, not
-- 500. Every figure describes the alerts as they are now (a reopened alert
-- is open again; a purged alert leaves the rollups with it).
--
-- public.alert_daily_rollups (tenant_id, day, severity): per UTC day
--   created             alerts detected that day (detected_at)
--   acknowledged        alerts acknowledged that day, time known:
--                       acknowledged_at, or resolved_at for an alert closed
--                       without an acknowledgement time; status not 'new'
--   tta_ms_sum          sum of their time to acknowledge (ms, from detected_at)
--   closed              alerts closed (resolved or false_positive) that day:
--                       resolved_at's day, or the detection day when no close
--                       time was recorded (imported rows)
--   false_positives     of closed, those closed as false positive
--   ttr_count           of closed, those with a close time (resolved_at)
--   ttr_ms_sum          sum of their time to resolve (ms, from detected_at)
--   ack_breaches        of acknowledged, those past the acknowledge target
--   resolve_breaches    of ttr_count, those past the resolve target
--   A stop day before the detection day counts on the detection day, so
--   "open at the end of day D" = created up to D - closed up to D, exactly.
--   SLA targets (settings sla.<severity>.ack_minutes / resolve_minutes,
--   defaults as lib/settings/registry.ts) are the ones in force when the
--   clock stopped: a later change of targets does not rewrite the past.
--   Info alerts have no targets (never a breach).
-- public.alert_open_counts (tenant_id, severity): alerts open now (new,
--   acknowledged, in_progress). Open at the end of day D =
--   open now - sum over days after D of (created - closed).
--
-- Rows whose every count is 0 are deleted, so the rollups are a function of
-- the alerts alone (an archive's rollups equal those rebuilt from its alerts).
-- The tenant tree is not in the rollups: a moved tenant keeps its rows, and
-- subtrees are summed when read (analytics.subtree_daily).
--
-- Restores (lib/lifecycle/archive) write a tenant's alerts and its rollups
-- from the archive: while keyring.restoring(tenant) is true the alert
-- triggers leave that tenant's rollups alone and the archive's rollup rows
-- are written as they are.

create schema analytics;
revoke all on schema analytics from public, anon, authenticated, service_role, portal_app;
grant usage on schema analytics to authenticated, service_role;

create table public.alert_daily_rollups (
  tenant_id         uuid not null references public.tenants (id) on delete cascade,
  day               date not null,
  severity          text not null check (severity in ('critical', 'high', 'medium', 'low', 'info')),
  created           integer not null default 0,
  acknowledged      integer not null default 0,
  tta_ms_sum        bigint not null default 0,
  closed            integer not null default 0,
  false_positives   integer not null default 0,
  ttr_count         integer not null default 0,
  ttr_ms_sum        bigint not null default 0,
  ack_breaches      integer not null default 0,
  resolve_breaches  integer not null default 0,
  primary key (tenant_id, day, severity)
);
comment on table public.alert_daily_rollups is
  'Alert counts per tenant, UTC day and severity, kept exact by triggers on public.alerts (migration 20261201016000, docs/console.md).';

create table public.alert_open_counts (
  tenant_id  uuid not null references public.tenants (id) on delete cascade,
  severity   text not null check (severity in ('critical', 'high', 'medium', 'low', 'info')),
  open       integer not null,
  primary key (tenant_id, severity)
);
comment on table public.alert_open_counts is
  'Open alerts (new, acknowledged, in_progress) per tenant and severity now, kept exact by triggers on public.alerts.';

alter table public.alert_daily_rollups enable row level security;
alter table public.alert_daily_rollups force row level security;
alter table public.alert_open_counts enable row level security;
alter table public.alert_open_counts force row level security;

create policy "Alert rollups are visible to members of the tenant or an ancestor"
  on public.alert_daily_rollups for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "Open alert counts are visible to members of the tenant or an ancestor"
  on public.alert_open_counts for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));

select tenancy.add_frozen_write_policies('public.alert_daily_rollups', 'tenant_id');
select tenancy.add_frozen_write_policies('public.alert_open_counts', 'tenant_id');
select tenancy.add_tenant_id_guard('public.alert_daily_rollups');
select tenancy.add_tenant_id_guard('public.alert_open_counts');

revoke all on table public.alert_daily_rollups, public.alert_open_counts
  from public, anon, authenticated, service_role, portal_app;
grant select on public.alert_daily_rollups, public.alert_open_counts to authenticated;
grant select, insert, update, delete on public.alert_daily_rollups, public.alert_open_counts to service_role;

-- ---------------------------------------------------------------------------
-- What the alert rows of one statement contribute
-- ---------------------------------------------------------------------------
-- The SLA target (minutes) of each tenant for each severity and clock, as
-- the settings resolve now; the defaults are lib/settings/registry.ts's
-- (tests/analytics-rollups.test.ts compares them).
create function analytics.sla_targets(p_tenants uuid[])
  returns table (tenant_id uuid, severity text, ack_minutes integer, resolve_minutes integer)
  language sql stable security definer
  set search_path = ''
  as $$
    with d(severity, ack, res) as (
      values ('critical', 15, 240), ('high', 60, 1440), ('medium', 240, 4320), ('low', 1440, 10080)
    ), s as (
      select r.tenant_id, r.key, r.value from settings.resolve(p_tenants) r
       where r.key like 'sla.%'
    )
    select t, d.severity,
           coalesce((select (s.value #>> '{}')::integer from s where s.tenant_id = t and s.key = 'sla.' || d.severity || '.ack_minutes'), d.ack),
           coalesce((select (s.value #>> '{}')::integer from s where s.tenant_id = t and s.key = 'sla.' || d.severity || '.resolve_minutes'), d.res)
      from unnest(p_tenants) t cross join d
  $$;

-- The one statement that applies a change: `src` is a relation of alert rows
-- with a sign (s = 1 added, -1 taken away) and the columns the rollups read.
-- Each row counts on up to three (tenant, day, severity) keys (detection,
-- acknowledgement, close; the definitions at the top); the sums go into both
-- tables in one grouped upsert each, in key order (two batches of one tenant
-- wait for each other instead of deadlocking). Tenants gone (a cascade from
-- public.tenants) and tenants being restored by this transaction are left
-- alone. Run by EXECUTE inside the trigger functions, where the statement's
-- transition tables are visible: set-based, so a 2M-row load is one
-- aggregation, not an array in memory.
create function analytics.delta_sql(src text) returns text
  language sql immutable
  set search_path = ''
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

-- After rows were taken away: drop the keys they brought to zero.
create function analytics.prune_sql(src text) returns text
  language sql immutable
  set search_path = ''
  as $f$
    select format($q$
      with k as (select distinct tenant_id, severity from %1$s as src where s = -1),
      daily as (
        delete from public.alert_daily_rollups x using k
         where x.tenant_id = k.tenant_id and x.severity = k.severity
           and (x.created, x.acknowledged, x.tta_ms_sum, x.closed, x.false_positives, x.ttr_count, x.ttr_ms_sum, x.ack_breaches, x.resolve_breaches)
               = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        returning 1
      )
      delete from public.alert_open_counts x using k
       where x.tenant_id = k.tenant_id and x.severity = k.severity and x.open = 0
    $q$, src)
  $f$;

create function analytics.alerts_inserted() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  execute analytics.delta_sql('(select 1 as s, tenant_id, severity, status, detected_at, acknowledged_at, resolved_at from new_alerts)');
  return null;
end
$$;

create function analytics.alerts_deleted() returns trigger
  language plpgsql security definer
  set search_path = ''
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
create function analytics.alerts_updated() returns trigger
  language plpgsql security definer
  set search_path = ''
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

create trigger analytics_rollup_insert after insert on public.alerts
  referencing new table as new_alerts
  for each statement execute function analytics.alerts_inserted();
create trigger analytics_rollup_update after update on public.alerts
  referencing old table as old_alerts new table as new_alerts
  for each statement execute function analytics.alerts_updated();
create trigger analytics_rollup_delete after delete on public.alerts
  referencing old table as old_alerts
  for each statement execute function analytics.alerts_deleted();

-- ---------------------------------------------------------------------------
-- Backfill: the same statement over every alert there is.
-- ---------------------------------------------------------------------------
do $$
begin
  execute analytics.delta_sql('(select 1 as s, tenant_id, severity, status, detected_at, acknowledged_at, resolved_at from public.alerts)');
end
$$;

-- ---------------------------------------------------------------------------
-- Reading: a subtree's figures summed when read, from the current tree
-- ---------------------------------------------------------------------------
-- Per root (the root and every tenant below it that `tenants` lets through;
-- null: every visible one), day and severity. Security invoker: RLS on the
-- rollups decides what is summed.
create function analytics.subtree_daily(roots uuid[], tenants uuid[], from_day date, to_day date)
  returns table (root_id uuid, day date, severity text, created bigint, acknowledged bigint, tta_ms_sum numeric,
                 closed bigint, false_positives bigint, ttr_count bigint, ttr_ms_sum numeric,
                 ack_breaches bigint, resolve_breaches bigint)
  language sql stable
  set search_path = ''
  as $$
    select r.id, d.day, d.severity, sum(d.created), sum(d.acknowledged), sum(d.tta_ms_sum), sum(d.closed),
           sum(d.false_positives), sum(d.ttr_count), sum(d.ttr_ms_sum), sum(d.ack_breaches), sum(d.resolve_breaches)
      from public.tenants r
      join public.tenants t on t.path operator(extensions.<@) r.path
      join public.alert_daily_rollups d on d.tenant_id = t.id
     where r.id = any (roots) and (tenants is null or t.id = any (tenants))
       and d.day >= from_day and d.day <= to_day
     group by r.id, d.day, d.severity
  $$;

revoke execute on all functions in schema analytics from public, anon, authenticated, service_role, portal_app;
grant execute on function analytics.subtree_daily(uuid[], uuid[], date, date) to authenticated, service_role;
