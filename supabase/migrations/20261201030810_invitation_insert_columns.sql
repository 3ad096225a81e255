-- What a signed-in admin's invitation may say (docs/security-model.md "Team management",
-- lib/team/mutations.ts createInvitation).
--
-- Why: `authenticated` held INSERT on every column of public.invitations (created_at, expires_at,
-- accepted_at, accepted_by, issued_by_system ...), and the policy "Admins invite at or below their
-- own rank" checks only the inviter, the rank and that the row is open. Through SQL as a customer's
-- admin (a Supabase Data API) one could write an invitation with expires_at ten years out (links are
-- meant to die after 7 days), with a token of one's choosing, and without the invite action's
-- limits.users check and team:invite audit row.
--
-- Now, for `authenticated`:
--   columns  tenant_id, email, role, token_hash, invited_by, expires_at only (what createInvitation
--            writes): the id, the acceptance and revocation columns and issued_by_system take their
--            defaults;
--   trigger  created_at is the time of the insert, and expires_at at most 8 days after it (the app
--            gives 7, lib/team/tokens.ts INVITE_TTL_DAYS; a day of slack for the app's clock), else
--            42501.
-- An invitation that skips the action's limit check still cannot make a member past limits.users:
-- accepting rechecks it (lib/team/accept.ts). The service role's and the owner's writes (workflows,
-- imports, restores, fixtures) are not held to it.
revoke insert on public.invitations from authenticated;
grant insert (tenant_id, email, role, token_hash, invited_by, expires_at) on public.invitations to authenticated;

create function tenancy.invitation_insert_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if current_user::text <> 'authenticated' then
    return new;
  end if;
  new.created_at := now();
  if new.expires_at > new.created_at + interval '8 days' then
    raise exception 'an invitation expires at most 8 days after it is sent'
      using errcode = '42501', hint = 'invitation_expiry';
  end if;
  return new;
end
$$;
revoke all on function tenancy.invitation_insert_guard() from public, anon, authenticated, service_role, portal_app;
create trigger invitations_insert_guard before insert on public.invitations
  for each row execute function tenancy.invitation_insert_guard();
