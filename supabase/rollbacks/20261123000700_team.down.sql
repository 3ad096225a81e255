-- Rollback of 20261123000700_team: invitations and admin membership writes.
drop function if exists public.accept_invitation(bytea);
drop table if exists public.invitations;
drop policy if exists "Admins change roles at or below their own rank" on public.memberships;
drop policy if exists "Admins remove members at or below their own rank" on public.memberships;
revoke update (role), delete on public.memberships from authenticated;
drop trigger if exists memberships_keep_last_admin on public.memberships;
drop function if exists tenancy.keep_last_admin();
drop function if exists tenancy.admin_role_for(uuid);
drop function if exists tenancy.caller_admin_rank_on(uuid);
drop function if exists tenancy.role_rank(text);
