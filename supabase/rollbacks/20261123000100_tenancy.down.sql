-- Rollback of 20261123000100_tenancy: drops the tenant tree, users and memberships.
drop table if exists public.memberships;
drop table if exists public.users;
drop table if exists public.tenants;
drop schema if exists tenancy cascade;
