-- Rollback of 20261201031800_invitation_writes_audited: an admin's direct invitation writes are
-- recorded nowhere again, and revoked_at takes whatever value they write.
drop trigger if exists invitations_audited_revoke on public.invitations;
drop trigger if exists invitations_audited_insert on public.invitations;
drop function if exists tenancy.invitation_audited();
drop trigger if exists invitations_revoke_guard on public.invitations;
drop function if exists tenancy.invitation_revoke_guard();
