-- A restored archive that predates a rollup table gets that table's rows rebuilt (a correctness fix;
-- lib/lifecycle/archive/derived.ts, docs/tenant-migration.md "Archives taken on an older schema").
--
-- Why: while a tenant is being restored (keyring.restoring), the alert, asset and rollup triggers
-- leave its derived rows alone and expect the archive's own copies: the daily rollups and open
-- counts (20261201016000), the subtree rollups (20261201024000), the subtree day blocks and asset
-- counts (20261201025000). An archive taken before one of those migrations holds no such rows, and
-- nothing rebuilt them: a customer restored from a 20261201016000-era archive came back with its
-- alerts and assets but no asset counts and no subtree rows or blocks, so /compare and /benchmark
-- gave it 0 assets and no alert figures; from an older one, no daily rollups either, so the alert
-- list counted 0 for it and its MSSP, and the dashboards showed nothing.
--
-- How: analytics.rebuild_restored_rollups(tenants, archived), called by the restore after
-- keyring.end_restore (so the triggers apply to these tenants again), in the same transaction.
-- `archived` names the tables the archive holds; each derived table missing from it is recomputed
-- for the restored tenants from what it derives from, reusing the statements the triggers and the
-- migrations' backfills run (no second copy of the arithmetic):
--   daily rollups / open counts  deleted for these tenants, then analytics.delta_sql over their
--                                alerts (as the alert triggers and the 20261201016000 backfill); the
--                                inserted daily rows reach every ancestor's subtree rows, and those
--                                the blocks, through the triggers;
--   subtree rollups              analytics.recompute_subtree_rollups(tenants): each restored tenant's
--                                rows from the daily rows of its subtree (exact whatever was there);
--                                the blocks follow by trigger. Run too after the daily rebuild;
--   subtree blocks (alone)       deleted, then analytics.blocks_delta_sql over their subtree rows;
--   asset counts                 deleted, then analytics.asset_counts_sql over their assets.
-- Ancestors outside the restore need nothing more: they got the difference of every daily and
-- subtree row the restore wrote, as for any write. A table the archive holds is left as written: its
-- rows are the archive's (an older alert's SLA breach counts were decided against the targets of
-- then, which its alerts may not record; 20261201028000).
-- The work is one set-based statement per table over the restored subtree's rows. A derived table
-- added by a later migration must be added here (and its migration's comment say so).

create function analytics.rebuild_restored_rollups(p_tenants uuid[], p_archived text[]) returns text[]
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  ids constant text := format('%L::uuid[]', p_tenants);
  daily constant boolean := not (p_archived @> array['public.alert_daily_rollups', 'public.alert_open_counts']);
  subtree constant boolean := daily or not ('public.alert_subtree_rollups' = any (p_archived));
  blocks constant boolean := not ('public.alert_subtree_blocks' = any (p_archived));
  assets constant boolean := not ('public.asset_counts' = any (p_archived));
  rebuilt text[] := '{}';
begin
  if p_tenants is null or cardinality(p_tenants) = 0 or p_archived is null then
    raise exception 'rebuild_restored_rollups needs the restored tenants and the tables their archive holds' using errcode = '22023';
  end if;
  -- While they are being restored the triggers skip them: rows deleted here would not come back.
  if exists (select 1 from keyring.restore_grants) and exists (select 1 from unnest(p_tenants) t where keyring.restoring(t)) then
    raise exception 'the rollups of tenants being restored are rebuilt after keyring.end_restore' using errcode = '55000';
  end if;
  if daily then
    delete from public.alert_daily_rollups where tenant_id = any (p_tenants);
    delete from public.alert_open_counts where tenant_id = any (p_tenants);
    execute analytics.delta_sql(format(
      '(select 1 as s, a.tenant_id, a.severity, a.status, a.detected_at, a.acknowledged_at, a.resolved_at, a.ack_breached, a.resolve_breached
          from public.alerts a where a.tenant_id = any (%s))', ids));
    rebuilt := rebuilt || array['public.alert_daily_rollups', 'public.alert_open_counts'];
  end if;
  if subtree then
    perform analytics.recompute_subtree_rollups(p_tenants);
    rebuilt := rebuilt || array['public.alert_subtree_rollups', 'public.alert_subtree_blocks'];
  elsif blocks then
    delete from public.alert_subtree_blocks where tenant_id = any (p_tenants);
    execute analytics.blocks_delta_sql(format(
      '(select 1 as s, r.* from public.alert_subtree_rollups r where r.tenant_id = any (%s))', ids));
    rebuilt := rebuilt || 'public.alert_subtree_blocks'::text;
  end if;
  if assets then
    delete from public.asset_counts where tenant_id = any (p_tenants);
    execute analytics.asset_counts_sql(format('(select 1 as s, a.tenant_id from public.assets a where a.tenant_id = any (%s))', ids));
    rebuilt := rebuilt || 'public.asset_counts'::text;
  end if;
  return rebuilt;
end
$$;

revoke all on function analytics.rebuild_restored_rollups(uuid[], text[]) from public, anon, authenticated, service_role, portal_app;
grant execute on function analytics.rebuild_restored_rollups(uuid[], text[]) to service_role;
