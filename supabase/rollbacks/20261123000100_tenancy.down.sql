-- Rollback of 20261123000100_tenancy: drops the tenant tree, users and memberships.
-- The users policy reads memberships, so it goes first.
drop policy if exists "Users see themselves and the members of tenants they can see" on public.users;
drop table if exists public.memberships;
drop table if exists public.users;
drop table if exists public.tenants;
drop schema if exists tenancy cascade;
