-- Rollback of 20261201030810_invitation_insert_columns: admins insert any column of an invitation
-- again, with any expiry.
drop trigger if exists invitations_insert_guard on public.invitations;
drop function if exists tenancy.invitation_insert_guard();
revoke insert (tenant_id, email, role, token_hash, invited_by, expires_at) on public.invitations from authenticated;
grant insert on public.invitations to authenticated;
