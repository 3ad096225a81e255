-- Rollback of 20261201026800_assets_tenant_criticality.
drop index public.assets_tenant_criticality;
