-- /compare and /benchmark at 1,000 customers (issue 13, point 7; analytics.customer_metrics,
-- docs/console.md "How the figures are served"; npm run bench -- --only=11,12).
--
-- Why: analytics.customer_metrics (20261201024500) summed, per request, every tenant's daily rollup
-- rows of the range (64,000 rows for 30 days at 1,000 customers / 200,000 alerts; ~240,000 at 2M),
-- the later days' rows, every open count and every asset row (one per asset: 200,000 at 2M). Measured
-- at 200,000 alerts: 267 ms through RLS, 221 ms as the owner; at 2M 652 / 767 ms. /benchmark ranks
-- the same figures for every peer (198 ms / 724 ms). The range may be up to 366 days.
--
-- What, kept exact by triggers:
--   public.alert_subtree_blocks (tenant_id, level, start_day): the subtree rollups (20261201024000)
--     of the tenant's subtree summed over a block of 2^level UTC days starting at start_day (levels
--     0-10, blocks aligned on 2000-01-01), severities folded into what the comparison reads:
--       created, critical (created, severity critical), acknowledged, tta_ms_sum, closed, ttr_count,
--       ttr_ms_sum, sla_clocks (acknowledged + ttr_count of non-info severities), sla_breaches
--       (ack_breaches + resolve_breaches).
--     Any range [from, to) is a sum of at most ~20 blocks (analytics.day_blocks), so a customer's
--     30 days are ~8 rows and its 366 days ~16, whatever the number of its tenants and alerts.
--     Statement triggers on public.alert_subtree_rollups add each statement's difference to the
--     blocks of every level holding the day (one grouped upsert in key order, as the subtree rows'
--     own), and drop blocks brought to all-zero. The subtree rows are already exact after inserts,
--     triage changes, moves, deletions and restores; the blocks follow them. Roots gone (a cascade)
--     and roots being restored (keyring.restoring: their rows come from the archive as they are)
--     are left alone, as in 20261201024000.
--   public.asset_counts (tenant_id): the tenant's own assets (its row absent at 0), kept by
--     statement triggers on public.assets (a tenant's assets never change tenant: tenant_id guard).
--     The offboarding purge (lib/lifecycle/catalog.ts: children first, then by name backwards)
--     reaches public.assets before public.asset_counts, so the triggers empty the counts as the
--     alerts' triggers empty the rollups (tests/tenant-catalog.test.ts).
--
-- analytics.customer_metrics: same arguments, result and security (invoker: the caller's RLS
-- decides what is read). A customer is read from its subtree blocks only when every tenant of its
-- subtree the caller sees counts (p_only null, or all of them in p_only), as lib/analytics/cover.ts
-- does for the dashboard; otherwise its counted tenants' daily rows are summed as before. Assets
-- come from asset_counts, open alerts from alert_open_counts (one row per tenant and
-- severity). Open at the end of the range = open now - (created - closed) on the days from `to`
-- on: blocks of [to, today + 2) and the level-0 blocks after that (alerts detected in the future).
--
-- RLS on both tables: the daily rollups' (members of the tenant or an ancestor). Visibility is closed
-- under descent, so a subtree's block shows nothing its tenants' rows would not.

-- ---------------------------------------------------------------------------
-- Blocks of days
-- ---------------------------------------------------------------------------
-- The first day of the 2^level-day block holding `day` (blocks aligned on 2000-01-01; & on a
-- negative number is two's complement, so days before 2000 align too).
create function analytics.block_start(day date, level integer) returns date
  language sql immutable parallel safe
  set search_path = ''
  as $$ select day - ((day - date '2000-01-01') & ((1 << level) - 1)) $$;

-- [p_from, p_to) as the fewest aligned blocks (levels 0-10), left to right.
create function analytics.day_blocks(p_from date, p_to date) returns table (level integer, start_day date)
  language plpgsql immutable
  set search_path = ''
  as $$
declare
  d date := p_from;
  l integer;
begin
  while d < p_to loop
    l := 10;
    while l > 0 and (analytics.block_start(d, l) <> d or d + (1 << l) > p_to) loop
      l := l - 1;
    end loop;
    level := l;
    start_day := d;
    return next;
    d := d + (1 << l);
  end loop;
end
$$;

create table public.alert_subtree_blocks (
  tenant_id     uuid not null references public.tenants (id) on delete cascade,
  level         smallint not null check (level between 0 and 10),
  start_day     date not null,
  created       bigint not null default 0,
  critical      bigint not null default 0,
  acknowledged  bigint not null default 0,
  tta_ms_sum    bigint not null default 0,
  closed        bigint not null default 0,
  ttr_count     bigint not null default 0,
  ttr_ms_sum    bigint not null default 0,
  sla_clocks    bigint not null default 0,
  sla_breaches  bigint not null default 0,
  -- Block first: the comparison reads one block of many customers at a time (one index range per
  -- block, the customers' ids and the policy's tenant array merged in it); writes name the whole key.
  primary key (level, start_day, tenant_id),
  constraint alert_subtree_blocks_aligned check (analytics.block_start(start_day, level) = start_day)
);
comment on table public.alert_subtree_blocks is
  'public.alert_subtree_rollups summed over aligned blocks of 2^level days, severities folded, kept exact by triggers (migration 20261201025000, docs/console.md).';

create table public.asset_counts (
  tenant_id  uuid not null references public.tenants (id) on delete cascade,
  assets     bigint not null check (assets > 0),
  primary key (tenant_id)
);
comment on table public.asset_counts is
  'Assets per tenant (its own, not its subtree''s), kept exact by triggers on public.assets (migration 20261201025000).';

alter table public.alert_subtree_blocks enable row level security;
alter table public.alert_subtree_blocks force row level security;
alter table public.asset_counts enable row level security;
alter table public.asset_counts force row level security;
create policy "Subtree blocks are visible to members of the tenant or an ancestor"
  on public.alert_subtree_blocks for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "Asset counts are visible to members of the tenant or an ancestor"
  on public.asset_counts for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
select tenancy.add_frozen_write_policies('public.alert_subtree_blocks', 'tenant_id');
select tenancy.add_frozen_write_policies('public.asset_counts', 'tenant_id');
select tenancy.add_tenant_id_guard('public.alert_subtree_blocks');
select tenancy.add_tenant_id_guard('public.asset_counts');
revoke all on table public.alert_subtree_blocks, public.asset_counts from public, anon, authenticated, service_role, portal_app;
grant select on public.alert_subtree_blocks, public.asset_counts to authenticated;
grant select, insert, update, delete on public.alert_subtree_blocks, public.asset_counts to service_role;

-- ---------------------------------------------------------------------------
-- Blocks kept by the subtree rows
-- ---------------------------------------------------------------------------
-- `src`: a relation of subtree rows with s (1 added, -1 taken away). The day's difference is added to
-- the block of every level holding it; then blocks of the touched keys that are all-zero are dropped.
create function analytics.blocks_delta_sql(src text) returns text
  language sql immutable
  set search_path = ''
  as $f$
    select format($q$
      with f as (select * from %s as src),
      keep as (
        select r.tenant_id from (select distinct f.tenant_id from f) r
         where exists (select 1 from public.tenants t where t.id = r.tenant_id)
           and not (exists (select 1 from keyring.restore_grants) and keyring.restoring(r.tenant_id))
      ),
      days as (
        select f.tenant_id, f.day,
               sum(f.s * f.created) as created,
               sum(f.s * case when f.severity = 'critical' then f.created else 0 end) as critical,
               sum(f.s * f.acknowledged) as acknowledged, sum(f.s * f.tta_ms_sum) as tta_ms_sum,
               sum(f.s * f.closed) as closed, sum(f.s * f.ttr_count) as ttr_count, sum(f.s * f.ttr_ms_sum) as ttr_ms_sum,
               sum(f.s * case when f.severity <> 'info' then f.acknowledged + f.ttr_count else 0 end) as sla_clocks,
               sum(f.s * (f.ack_breaches + f.resolve_breaches)) as sla_breaches
          from f where f.tenant_id in (select tenant_id from keep)
         group by 1, 2
      ),
      d as (
        select days.tenant_id, l.level::smallint as level, analytics.block_start(days.day, l.level) as start_day,
               sum(created)::bigint as created, sum(critical)::bigint as critical, sum(acknowledged)::bigint as acknowledged,
               sum(tta_ms_sum)::bigint as tta_ms_sum, sum(closed)::bigint as closed, sum(ttr_count)::bigint as ttr_count,
               sum(ttr_ms_sum)::bigint as ttr_ms_sum, sum(sla_clocks)::bigint as sla_clocks, sum(sla_breaches)::bigint as sla_breaches
          from days cross join generate_series(0, 10) l(level)
         group by 1, 2, 3
      ),
      up as (
        insert into public.alert_subtree_blocks as x
          (tenant_id, level, start_day, created, critical, acknowledged, tta_ms_sum, closed, ttr_count, ttr_ms_sum, sla_clocks, sla_breaches)
        select * from d
         where (created, critical, acknowledged, tta_ms_sum, closed, ttr_count, ttr_ms_sum, sla_clocks, sla_breaches) <> (0, 0, 0, 0, 0, 0, 0, 0, 0)
         order by 1, 2, 3
        on conflict (level, start_day, tenant_id) do update set
          created = x.created + excluded.created,
          critical = x.critical + excluded.critical,
          acknowledged = x.acknowledged + excluded.acknowledged,
          tta_ms_sum = x.tta_ms_sum + excluded.tta_ms_sum,
          closed = x.closed + excluded.closed,
          ttr_count = x.ttr_count + excluded.ttr_count,
          ttr_ms_sum = x.ttr_ms_sum + excluded.ttr_ms_sum,
          sla_clocks = x.sla_clocks + excluded.sla_clocks,
          sla_breaches = x.sla_breaches + excluded.sla_breaches
        returning 1
      )
      select count(*) from up
    $q$, src)
  $f$;

create function analytics.blocks_prune_sql(src text) returns text
  language sql immutable
  set search_path = ''
  as $f$
    select format($q$
      with k as (
        select distinct f.tenant_id, l.level::smallint as level, analytics.block_start(f.day, l.level) as start_day
          from (select * from %s as src) f cross join generate_series(0, 10) l(level)
      )
      delete from public.alert_subtree_blocks x using k
       where x.tenant_id = k.tenant_id and x.level = k.level and x.start_day = k.start_day
         and (x.created, x.critical, x.acknowledged, x.tta_ms_sum, x.closed, x.ttr_count, x.ttr_ms_sum, x.sla_clocks, x.sla_breaches)
             = (0, 0, 0, 0, 0, 0, 0, 0, 0)
    $q$, src)
  $f$;

-- An upsert of subtree rows fires both the insert and the update trigger, often one of them with no
-- rows: that one stops at a look at its transition table.
create function analytics.subtree_rollups_inserted() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  if exists (select 1 from new_rows) then
    execute analytics.blocks_delta_sql('(select 1 as s, n.* from new_rows n)');
  end if;
  return null;
end
$$;

create function analytics.subtree_rollups_updated() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  src constant text := '(select -1 as s, o.* from old_rows o union all select 1, n.* from new_rows n)';
begin
  if not exists (select 1 from new_rows) then
    return null;
  end if;
  execute analytics.blocks_delta_sql(src);
  -- Counts are never negative, so a block is all-zero only when every row of its days is: a block
  -- can only have been brought to zero here if an updated row is zero in what the blocks sum (an
  -- ingest only adds, and pays for no prune).
  if exists (select 1 from new_rows n
              where (n.created, n.acknowledged, n.tta_ms_sum, n.closed, n.ttr_count, n.ttr_ms_sum, n.ack_breaches, n.resolve_breaches)
                    = (0, 0, 0, 0, 0, 0, 0, 0)) then
    execute analytics.blocks_prune_sql(src);
  end if;
  return null;
end
$$;

create function analytics.subtree_rollups_deleted() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  src constant text := '(select -1 as s, o.* from old_rows o)';
begin
  execute analytics.blocks_delta_sql(src);
  execute analytics.blocks_prune_sql(src);
  return null;
end
$$;

create function analytics.subtree_rollups_truncated() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  delete from public.alert_subtree_blocks;
  return null;
end
$$;

create trigger subtree_blocks_insert after insert on public.alert_subtree_rollups
  referencing new table as new_rows
  for each statement execute function analytics.subtree_rollups_inserted();
create trigger subtree_blocks_update after update on public.alert_subtree_rollups
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.subtree_rollups_updated();
create trigger subtree_blocks_delete after delete on public.alert_subtree_rollups
  referencing old table as old_rows
  for each statement execute function analytics.subtree_rollups_deleted();
create trigger subtree_blocks_truncate after truncate on public.alert_subtree_rollups
  for each statement execute function analytics.subtree_rollups_truncated();

-- ---------------------------------------------------------------------------
-- Asset counts kept by the assets
-- ---------------------------------------------------------------------------
-- `src`: (s, tenant_id) per asset row. Added: upsert; taken away: subtract from the row there is
-- (a purge that already removed the count row leaves nothing behind), then drop rows at 0.
create function analytics.asset_counts_sql(src text) returns text
  language sql immutable
  set search_path = ''
  as $f$
    select format($q$
      with d as (
        select f.tenant_id, sum(f.s)::bigint as n from (select * from %s as src) f group by 1
      ),
      ok as (
        select d.* from d
         where d.n <> 0 and exists (select 1 from public.tenants t where t.id = d.tenant_id)
           and not (exists (select 1 from keyring.restore_grants) and keyring.restoring(d.tenant_id))
      ),
      added as (
        insert into public.asset_counts as x (tenant_id, assets)
        select ok.tenant_id, ok.n from ok where ok.n > 0 order by 1
        on conflict (tenant_id) do update set assets = x.assets + excluded.assets
        returning 1
      ),
      taken as (
        update public.asset_counts x set assets = x.assets + ok.n
          from ok where ok.n < 0 and x.tenant_id = ok.tenant_id and x.assets + ok.n > 0
        returning 1
      ),
      emptied as (
        delete from public.asset_counts x using ok
         where ok.n < 0 and x.tenant_id = ok.tenant_id and x.assets + ok.n <= 0
        returning 1
      )
      select (select count(*) from added) + (select count(*) from taken) + (select count(*) from emptied)
    $q$, src)
  $f$;

create function analytics.assets_inserted() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  execute analytics.asset_counts_sql('(select 1 as s, n.tenant_id from new_assets n)');
  return null;
end
$$;

create function analytics.assets_deleted() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  execute analytics.asset_counts_sql('(select -1 as s, o.tenant_id from old_assets o)');
  return null;
end
$$;

create function analytics.assets_truncated() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  delete from public.asset_counts;
  return null;
end
$$;

create trigger asset_counts_insert after insert on public.assets
  referencing new table as new_assets
  for each statement execute function analytics.assets_inserted();
create trigger asset_counts_delete after delete on public.assets
  referencing old table as old_assets
  for each statement execute function analytics.assets_deleted();
create trigger asset_counts_truncate after truncate on public.assets
  for each statement execute function analytics.assets_truncated();

revoke execute on function analytics.blocks_delta_sql(text), analytics.blocks_prune_sql(text),
  analytics.subtree_rollups_inserted(), analytics.subtree_rollups_updated(), analytics.subtree_rollups_deleted(),
  analytics.subtree_rollups_truncated(), analytics.asset_counts_sql(text), analytics.assets_inserted(),
  analytics.assets_deleted(), analytics.assets_truncated(), analytics.block_start(date, integer),
  analytics.day_blocks(date, date)
  from public, anon, authenticated, service_role, portal_app;
grant execute on function analytics.block_start(date, integer), analytics.day_blocks(date, date) to authenticated, service_role;

-- Backfill from what there is.
do $$
begin
  execute analytics.blocks_delta_sql('(select 1 as s, r.* from public.alert_subtree_rollups r)');
  execute analytics.asset_counts_sql('(select 1 as s, a.tenant_id from public.assets a)');
end
$$;

-- ---------------------------------------------------------------------------
-- The comparison's figures
-- ---------------------------------------------------------------------------
create or replace function analytics.customer_metrics(p_customers uuid[], p_from date, p_to date, p_only uuid[] default null)
  returns table (
    customer_id         uuid,
    assets              bigint,
    size_band           text,
    alerts              bigint,
    critical            bigint,
    acknowledged        bigint,
    tta_ms_sum          numeric,
    resolved_timed      bigint,
    ttr_ms_sum          numeric,
    sla_clocks          bigint,
    sla_breaches        bigint,
    open_at_end         bigint,
    alerts_per_asset    double precision,
    critical_per_asset  double precision,
    mtta_minutes        double precision,
    mttr_minutes        double precision,
    sla_breach_rate     double precision,
    open_per_asset      double precision
  )
  language plpgsql stable
  set search_path = ''
  as $fn$
declare
  v_whole uuid[];
  v_customers uuid[];
  v_tenants uuid[];
  v_part_customers uuid[];
  v_part_tenants uuid[];
  v_levels integer[];
  v_starts date[];
  v_later boolean[];
  v_cap date := greatest(p_to, (now() at time zone 'UTC')::date + 2);
begin
  -- The customers' subtrees (sites included) the caller sees: every visible tenant's ancestors by
  -- path prefix, matched to the customers by hash. `counted`: the tenant's rows count (p_only).
  -- A customer whose every visible tenant counts is read whole from its subtree blocks; the others
  -- ("part") from their counted tenants' daily rows.
  execute $q$
    with v as materialized (
      -- The tenants read once (through RLS: one evaluation of the policy's tenant set).
      select t.id, t.path, t.kind from public.tenants t
    ), pairs as (
      select c.id as customer_id, t.id as tenant_id, ($2::uuid[] is null or t.id = any ($2)) as counted
        from v t
        cross join lateral generate_series(1, extensions.nlevel(t.path)) k(n)
        join v c on c.path::text = extensions.subpath(t.path, 0, k.n)::text
       where c.id = any ($1) and c.kind = 'customer'
    ), x as (
      -- A window, not a join: the planner takes generate_series for 1,000 rows a tenant, and a hash
      -- table sized for that estimate costs more than the whole statement.
      select p.customer_id, p.tenant_id, p.counted, bool_and(p.counted) over (partition by p.customer_id) as whole from pairs p
    )
    select coalesce(array_agg(distinct x.customer_id) filter (where x.whole), '{}'),
           coalesce(array_agg(x.customer_id) filter (where x.counted), '{}'),
           coalesce(array_agg(x.tenant_id) filter (where x.counted), '{}'),
           coalesce(array_agg(x.customer_id) filter (where x.counted and not x.whole), '{}'),
           coalesce(array_agg(x.tenant_id) filter (where x.counted and not x.whole), '{}')
      from x
  $q$ into v_whole, v_customers, v_tenants, v_part_customers, v_part_tenants using p_customers, p_only;

  -- The blocks of [from, to), then those of [to, cap) (disjoint: one scan per block).
  select coalesce(array_agg(b.level order by b.start_day), '{}'), coalesce(array_agg(b.start_day order by b.start_day), '{}'),
         coalesce(array_agg(b.later order by b.start_day), '{}')
    into v_levels, v_starts, v_later
    from (select d.level, d.start_day, false as later from analytics.day_blocks(p_from, p_to) d
          union all
          select d.level, d.start_day, true from analytics.day_blocks(p_to, v_cap) d) b;

  -- Planned with the values known: a branch whose customers are none is folded away. Each block is
  -- one index scan of (level, start_day, tenant_id) over the whole customers (OFFSET 0 keeps it a
  -- scan per block rather than every block of every customer joined afterwards).
  return query execute $q$
    with facts as (
      -- The range's blocks, and (later) those of [to, cap) and the days after the cap: open at the end
      -- of the range = open now - (created - closed) on the days from `to` on.
      select b.tenant_id as customer_id,
             case when w.later then 0 else b.created end as created, case when w.later then 0 else b.critical end as critical,
             case when w.later then 0 else b.acknowledged end as acknowledged, case when w.later then 0 else b.tta_ms_sum end as tta_ms_sum,
             case when w.later then 0 else b.ttr_count end as ttr_count, case when w.later then 0 else b.ttr_ms_sum end as ttr_ms_sum,
             case when w.later then 0 else b.sla_clocks end as sla_clocks, case when w.later then 0 else b.sla_breaches end as sla_breaches,
             case when w.later then b.created - b.closed else 0 end as later_delta, 0::bigint as open, 0::bigint as asset
        from (select u.level, u.start_day, u.start_day + 1 as until, u.later from unnest($4::integer[], $5::date[], $6::boolean[]) u(level, start_day, later)
              union all
              -- Days after the cap (alerts detected in the future): level 0 from the cap on.
              select 0, $7::date, 'infinity'::date, true) w
        cross join lateral (
          select x.* from public.alert_subtree_blocks x
           where x.level = w.level and x.start_day >= w.start_day and x.start_day < w.until and x.tenant_id = any ($3) offset 0) b
       where cardinality($3) > 0
      union all
      select s.customer_id, x.created, case when x.severity = 'critical' then x.created else 0 end, x.acknowledged,
             x.tta_ms_sum, x.ttr_count, x.ttr_ms_sum,
             case when x.severity <> 'info' then x.acknowledged + x.ttr_count else 0 end,
             x.ack_breaches + x.resolve_breaches, 0, 0, 0
        from unnest($10::uuid[], $11::uuid[]) s(customer_id, tenant_id)
        join public.alert_daily_rollups x on x.tenant_id = s.tenant_id and x.day >= $8 and x.day < $9
       where cardinality($10) > 0
      union all
      select s.customer_id, 0, 0, 0, 0, 0, 0, 0, 0, x.created - x.closed, 0, 0
        from unnest($10::uuid[], $11::uuid[]) s(customer_id, tenant_id)
        join public.alert_daily_rollups x on x.tenant_id = s.tenant_id and x.day >= $9
       where cardinality($10) > 0
      union all
      select s.customer_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, o.open, 0
        from unnest($1::uuid[], $2::uuid[]) s(customer_id, tenant_id)
        join public.alert_open_counts o on o.tenant_id = s.tenant_id
      union all
      select s.customer_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, a.assets
        from unnest($1::uuid[], $2::uuid[]) s(customer_id, tenant_id)
        join public.asset_counts a on a.tenant_id = s.tenant_id
      union all
      -- Every customer in scope answers, with zeros if nothing else.
      select c.id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 from (select distinct unnest($1::uuid[]) as id) c
    ), f as (
      select facts.customer_id,
             sum(asset)::bigint as assets,
             sum(facts.created)::bigint as alerts,
             sum(facts.critical)::bigint as critical,
             sum(facts.acknowledged)::bigint as acknowledged,
             sum(facts.tta_ms_sum)::numeric as tta_ms_sum,
             sum(facts.ttr_count)::bigint as resolved_timed,
             sum(facts.ttr_ms_sum)::numeric as ttr_ms_sum,
             sum(facts.sla_clocks)::bigint as sla_clocks,
             sum(facts.sla_breaches)::bigint as sla_breaches,
             greatest(0, sum(open) - sum(later_delta))::bigint as open_at_end
        from facts
       group by facts.customer_id
    )
    -- analytics.size_band's bands, written out: a call per customer (a function with its own
    -- search_path is never inlined) cost more than the rest of this projection.
    select f.customer_id, f.assets,
           case when f.assets is null or f.assets <= 0 then 'none' when f.assets < 50 then 'under_50'
                when f.assets < 250 then '50_249' when f.assets < 1000 then '250_999'
                when f.assets < 5000 then '1000_4999' else '5000_plus' end,
           f.alerts, f.critical, f.acknowledged, f.tta_ms_sum, f.resolved_timed, f.ttr_ms_sum,
           f.sla_clocks, f.sla_breaches, f.open_at_end,
           case when f.assets > 0 then f.alerts::double precision / f.assets end,
           case when f.assets > 0 then f.critical::double precision / f.assets end,
           case when f.acknowledged > 0 then (f.tta_ms_sum / f.acknowledged / 60000)::double precision end,
           case when f.resolved_timed > 0 then (f.ttr_ms_sum / f.resolved_timed / 60000)::double precision end,
           case when f.sla_clocks > 0 then 100 * f.sla_breaches::double precision / f.sla_clocks end,
           case when f.assets > 0 then f.open_at_end::double precision / f.assets end
      from f
  $q$ using v_customers, v_tenants, v_whole, v_levels, v_starts, v_later, v_cap, p_from, p_to,
            v_part_customers, v_part_tenants;
end
$fn$;
