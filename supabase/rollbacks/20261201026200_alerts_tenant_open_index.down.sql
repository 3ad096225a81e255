-- Rollback of 20261201026200_alerts_tenant_open_index.
drop index public.alerts_tenant_open;
