-- Rollback of 20261201032750_reports_covered_tenants.
drop index public.reports_covered_tenants;
alter table public.reports drop column covered_tenant_ids;
