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
-- What one alert row contributes
-- ---------------------------------------------------------------------------
-- The columns the rollups read. A trigger passes its transition table's rows
-- as an array of these (a transition table is visible only inside the
-- trigger function itself).
create type analytics.alert_fact as (
  tenant_id        uuid,
  severity         text,
  status           text,
  detected_at      timestamptz,
  acknowledged_at  timestamptz,
  resolved_at      timestamptz
);

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

-- One row per (tenant, day, severity) an alert counts on, with its counts
-- (the definitions at the top). Also the backfill's and the tests' reference.
create function analytics.contributions(facts analytics.alert_fact[])
  returns table (tenant_id uuid, day date, severity text, created integer, acknowledged integer, tta_ms bigint,
                 closed integer, false_positives integer, ttr_count integer, ttr_ms bigint,
                 ack_breaches integer, resolve_breaches integer)
  language sql stable security definer
  set search_path = ''
  as $$
    with a as (
      select f.tenant_id, f.severity, f.status, f.detected_at, f.resolved_at,
             (f.detected_at at time zone 'UTC')::date as det_day,
             case when f.status <> 'new' then coalesce(f.acknowledged_at,
                    case when f.status in ('resolved', 'false_positive') then f.resolved_at end) end as ack_at,
             f.status in ('resolved', 'false_positive') as closed
        from unnest(facts) f
    ), targets as (
      select * from analytics.sla_targets(array(select distinct a.tenant_id from a where a.ack_at is not null or a.closed))
    )
    select a.tenant_id, a.det_day, a.severity, 1, 0, 0::bigint, 0, 0, 0, 0::bigint, 0, 0
      from a
    union all
    select a.tenant_id, greatest(a.det_day, (a.ack_at at time zone 'UTC')::date), a.severity, 0, 1,
           greatest(0, round(extract(epoch from a.ack_at - a.detected_at) * 1000))::bigint,
           0, 0, 0, 0::bigint,
           (a.severity <> 'info' and extract(epoch from a.ack_at - a.detected_at) > g.ack_minutes * 60)::int, 0
      from a left join targets g on g.tenant_id = a.tenant_id and g.severity = a.severity
     where a.ack_at is not null
    union all
    select a.tenant_id, greatest(a.det_day, (coalesce(a.resolved_at, a.detected_at) at time zone 'UTC')::date), a.severity,
           0, 0, 0::bigint, 1, (a.status = 'false_positive')::int, (a.resolved_at is not null)::int,
           coalesce(greatest(0, round(extract(epoch from a.resolved_at - a.detected_at) * 1000))::bigint, 0),
           0,
           coalesce((a.severity <> 'info' and extract(epoch from a.resolved_at - a.detected_at) > g.resolve_minutes * 60)::int, 0)
      from a left join targets g on g.tenant_id = a.tenant_id and g.severity = a.severity
     where a.closed
  $$;

-- Adds what `plus` contributes and takes away what `minus` did, in one
-- grouped upsert per table (in key order, so two batches of one tenant wait
-- for each other instead of deadlocking), then drops rows brought to zero.
-- Tenants gone (a cascade from public.tenants) and tenants being restored by
-- this transaction are left alone.
create function analytics.apply(minus analytics.alert_fact[], plus analytics.alert_fact[]) returns void
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  restoring boolean := exists (select 1 from keyring.restore_grants);
begin
  with c as (
    select -1 as s, m.* from analytics.contributions(minus) m
    union all
    select 1, p.* from analytics.contributions(plus) p
  ), d as (
    select c.tenant_id, c.day, c.severity,
           sum(s * c.created)::int as created, sum(s * c.acknowledged)::int as acknowledged, sum(s * c.tta_ms)::bigint as tta,
           sum(s * c.closed)::int as closed, sum(s * c.false_positives)::int as fp, sum(s * c.ttr_count)::int as ttr_n,
           sum(s * c.ttr_ms)::bigint as ttr, sum(s * c.ack_breaches)::int as ack_b, sum(s * c.resolve_breaches)::int as res_b
      from c
     where exists (select 1 from public.tenants t where t.id = c.tenant_id)
       and (not restoring or not keyring.restoring(c.tenant_id))
     group by c.tenant_id, c.day, c.severity
  )
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
    resolve_breaches = x.resolve_breaches + excluded.resolve_breaches;

  with c as (
    select -1 as s, m.tenant_id, m.severity from unnest(minus) m where m.status in ('new', 'acknowledged', 'in_progress')
    union all
    select 1, p.tenant_id, p.severity from unnest(plus) p where p.status in ('new', 'acknowledged', 'in_progress')
  ), d as (
    select c.tenant_id, c.severity, sum(c.s)::int as open from c
     where exists (select 1 from public.tenants t where t.id = c.tenant_id)
       and (not restoring or not keyring.restoring(c.tenant_id))
     group by c.tenant_id, c.severity
  )
  insert into public.alert_open_counts as x (tenant_id, severity, open)
  select * from d where open <> 0 order by tenant_id, severity
  on conflict (tenant_id, severity) do update set open = x.open + excluded.open;

  if cardinality(minus) > 0 then
    delete from public.alert_daily_rollups x
     using (select distinct m.tenant_id, m.severity from unnest(minus) m) r
     where x.tenant_id = r.tenant_id and x.severity = r.severity
       and (x.created, x.acknowledged, x.tta_ms_sum, x.closed, x.false_positives, x.ttr_count, x.ttr_ms_sum, x.ack_breaches, x.resolve_breaches)
           = (0, 0, 0, 0, 0, 0, 0, 0, 0);
    delete from public.alert_open_counts x
     using (select distinct m.tenant_id, m.severity from unnest(minus) m) r
     where x.tenant_id = r.tenant_id and x.severity = r.severity and x.open = 0;
  end if;
end
$$;

create function analytics.alerts_inserted() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  perform analytics.apply('{}', array(
    select (n.tenant_id, n.severity, n.status, n.detected_at, n.acknowledged_at, n.resolved_at)::analytics.alert_fact
      from new_alerts n));
  return null;
end
$$;

create function analytics.alerts_deleted() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  perform analytics.apply(array(
    select (o.tenant_id, o.severity, o.status, o.detected_at, o.acknowledged_at, o.resolved_at)::analytics.alert_fact
      from old_alerts o), '{}');
  return null;
end
$$;

-- Only rows whose counted columns changed: an assignment, a comment or a
-- title edit costs one empty join.
create function analytics.alerts_updated() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  before analytics.alert_fact[];
  after analytics.alert_fact[];
begin
  select coalesce(array_agg((o.tenant_id, o.severity, o.status, o.detected_at, o.acknowledged_at, o.resolved_at)::analytics.alert_fact), '{}'),
         coalesce(array_agg((n.tenant_id, n.severity, n.status, n.detected_at, n.acknowledged_at, n.resolved_at)::analytics.alert_fact), '{}')
    into before, after
    from old_alerts o join new_alerts n on n.tenant_id = o.tenant_id and n.id = o.id
   where (o.severity, o.status, o.detected_at, o.acknowledged_at, o.resolved_at)
         is distinct from (n.severity, n.status, n.detected_at, n.acknowledged_at, n.resolved_at);
  if cardinality(after) > 0 then
    perform analytics.apply(before, after);
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

-- Rollup rows written while their tenant is restored are the archive's:
-- kept as they are (the alert triggers leave that tenant alone meanwhile).
-- Any other write goes through the functions above or the service role.

-- ---------------------------------------------------------------------------
-- Backfill
-- ---------------------------------------------------------------------------
-- Tenant by tenant, so no statement holds every alert of the database at once.
do $$
declare t uuid;
begin
  for t in select distinct a.tenant_id from public.alerts a loop
    insert into public.alert_daily_rollups
      (tenant_id, day, severity, created, acknowledged, tta_ms_sum, closed, false_positives, ttr_count, ttr_ms_sum, ack_breaches, resolve_breaches)
    select c.tenant_id, c.day, c.severity, sum(c.created), sum(c.acknowledged), sum(c.tta_ms), sum(c.closed), sum(c.false_positives),
           sum(c.ttr_count), sum(c.ttr_ms), sum(c.ack_breaches), sum(c.resolve_breaches)
      from analytics.contributions(array(
             select (a.tenant_id, a.severity, a.status, a.detected_at, a.acknowledged_at, a.resolved_at)::analytics.alert_fact
               from public.alerts a where a.tenant_id = t)) c
     group by c.tenant_id, c.day, c.severity;
  end loop;
end
$$;

insert into public.alert_open_counts (tenant_id, severity, open)
select tenant_id, severity, count(*) from public.alerts
 where status in ('new', 'acknowledged', 'in_progress')
 group by tenant_id, severity;

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
