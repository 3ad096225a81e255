-- Rollback of 20261123000600_mfa: drops the MFA tables (every enrolment and
-- recovery code with them) and the tenant setting.
drop table if exists public.user_recovery_codes;
drop table if exists public.user_mfa;
alter table public.tenants drop column if exists require_mfa;
