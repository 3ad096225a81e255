-- Rollback of 20261201016000_alert_rollups: the dashboards' rollups go with
-- their triggers (derived data: migrating again rebuilds them from the alerts).
drop trigger if exists analytics_rollup_insert on public.alerts;
drop trigger if exists analytics_rollup_update on public.alerts;
drop trigger if exists analytics_rollup_delete on public.alerts;
drop table if exists public.alert_daily_rollups;
drop table if exists public.alert_open_counts;
drop schema if exists analytics cascade;
