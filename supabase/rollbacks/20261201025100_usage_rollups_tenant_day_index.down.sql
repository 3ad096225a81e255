-- Rollback of 20261201025100_usage_rollups_tenant_day_index.
drop index if exists public.usage_rollups_tenant_day;
