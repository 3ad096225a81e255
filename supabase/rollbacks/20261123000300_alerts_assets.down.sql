-- Rollback of 20261123000300_alerts_assets: drops alerts and assets (their data included).
drop table if exists public.alerts;
drop table if exists public.assets;
drop function if exists tenancy.touch_updated_at();
