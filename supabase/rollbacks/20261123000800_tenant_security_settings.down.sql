-- Rollback of 20261123000800_tenant_security_settings.
drop policy if exists "Admins change security settings of tenants they administer" on public.tenants;
revoke update (require_mfa) on public.tenants from authenticated;
