-- Rollback of 20261201024200_tenants_not_active_index.
drop index if exists public.tenants_not_active;
