-- Rollback of 20261201024000_alert_subtree_rollups: the subtree sums go with
-- their triggers (derived data: migrating again rebuilds them from the daily rows).
drop trigger if exists zz_subtree_rollups_forget on public.tenants;
drop trigger if exists subtree_rollups_tree on public.tenants;
drop trigger if exists subtree_rollups_insert on public.alert_daily_rollups;
drop trigger if exists subtree_rollups_update on public.alert_daily_rollups;
drop trigger if exists subtree_rollups_delete on public.alert_daily_rollups;
drop trigger if exists subtree_rollups_truncate on public.alert_daily_rollups;
drop function if exists analytics.tenant_deleted();
drop function if exists analytics.tenants_path_changed();
drop function if exists analytics.daily_rollups_truncated();
drop function if exists analytics.daily_rollups_deleted();
drop function if exists analytics.daily_rollups_updated();
drop function if exists analytics.daily_rollups_inserted();
drop function if exists analytics.recompute_subtree_rollups(uuid[]);
drop function if exists analytics.subtree_prune_sql(text);
drop function if exists analytics.subtree_delta_sql(text);
drop table if exists public.alert_subtree_rollups;
