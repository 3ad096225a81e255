-- Every invitation an admin writes or revokes straight through `authenticated` (SQL as them, a
-- Supabase Data API) is in the audit trail, once (docs/security-model.md "Team management" and
-- "Audit trail").
--
-- Why: the invite, resend and revoke actions write their audit row through lib/actions/guard.ts
-- (team:invite, team:resend-invite, team:revoke-invite), but the policies let a tenant's admin insert
-- an invitation, or set revoked_at, past the actions: such an invitation was mailed to nobody by the
-- portal, yet its token works, and the trail did not show it at all. A revoked invitation could also
-- be opened again (revoked_at set back to null), its old link working again, unrecorded.
--
-- Now, for writes by `authenticated` (the portal's own withTenant transactions included):
--   invitations_audited_insert / _revoke   deferred constraint triggers, queued when the row is
--            written (the WHEN clause of a constraint trigger is evaluated then, not at commit) and
--            run at commit: if the transaction's own audit trail has no success row for that
--            invitation by that actor (the action's team:invite / team:resend-invite naming it as
--            target, team:revoke-invite naming it, or team:resend-invite naming it in
--            details.replaces), tenancy.invitation_audited writes one (team:invite or
--            team:revoke-invite, details {email, role, via: "direct_write"}) through the chain
--            trigger like any other row. The portal's actions have written theirs by then, so an
--            action's invitation is recorded once, by the action; a direct write once, by the
--            database. "The transaction's own" rows: the tenant's rows since the transaction began
--            (audit_log_tenant_time), never a scan of the tenant's whole trail.
--            Deferred, so a `set constraints all immediate` before the action's audit row would run
--            the check too early and record the invitation twice: lib/team/mutations.ts names the
--            last-admin trigger alone.
--   invitations_revoke_guard   revoked_at only goes from null to the time of the update (not one
--            the writer chooses); revoking again keeps the first time; opening a revoked invitation
--            again is refused (42501, hint invitation_revoked).
-- The service role's and the owner's writes are not held to either: provisioning's and an import's
-- invitations (lib/team/invite.ts issueInvitation, named service-role modules audited as
-- tenant.provisioned / tenant.imported), restores of an archive (rows that existed before), fixtures.
--
-- Proven by tests/invitation-direct-audit.test.ts; tests/actions-matrix-settings-team.test.ts checks
-- each team action still writes one success row.

create function tenancy.invitation_revoke_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if current_user::text <> 'authenticated' or new.revoked_at is not distinct from old.revoked_at then
    return new;
  end if;
  if old.revoked_at is not null then
    if new.revoked_at is null then
      raise exception 'a revoked invitation stays revoked; send a new invitation instead'
        using errcode = '42501', hint = 'invitation_revoked';
    end if;
    new.revoked_at := old.revoked_at;
    return new;
  end if;
  new.revoked_at := now();
  return new;
end
$$;
revoke all on function tenancy.invitation_revoke_guard() from public, anon, authenticated, service_role, portal_app;
create trigger invitations_revoke_guard before update of revoked_at on public.invitations
  for each row execute function tenancy.invitation_revoke_guard();

-- Security definer: it reads the tenant's audit rows and writes one, which `authenticated` may do
-- only through audit.record. It writes nothing the caller chose but the invitation's own row.
create function tenancy.invitation_audited() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  actor uuid;
begin
  if tg_op = 'INSERT' then
    -- The policy made it the caller's auth.uid() when the row was written.
    actor := new.invited_by;
    if exists (select 1 from public.audit_log a
                where a.tenant_id = new.tenant_id and a.occurred_at >= now()
                  and a.action in ('team:invite', 'team:resend-invite') and a.outcome = 'success'
                  and a.target_type = 'invitation' and a.target_id = new.id::text
                  and a.actor_id is not distinct from actor) then
      return null;
    end if;
  else
    actor := auth.uid();
    if exists (select 1 from public.audit_log a
                where a.tenant_id = new.tenant_id and a.occurred_at >= now() and a.outcome = 'success'
                  and a.actor_id is not distinct from actor
                  and ((a.action = 'team:revoke-invite' and a.target_type = 'invitation' and a.target_id = new.id::text)
                    or (a.action = 'team:resend-invite' and a.details ->> 'replaces' = new.id::text))) then
      return null;
    end if;
  end if;
  insert into public.audit_log (tenant_id, actor_id, action, target_type, target_id, outcome, details)
  values (new.tenant_id, actor, case when tg_op = 'INSERT' then 'team:invite' else 'team:revoke-invite' end,
          'invitation', new.id::text, 'success',
          jsonb_build_object('email', new.email, 'role', new.role, 'via', 'direct_write'));
  return null;
end
$$;
revoke all on function tenancy.invitation_audited() from public, anon, authenticated, service_role, portal_app;

create constraint trigger invitations_audited_insert
  after insert on public.invitations
  deferrable initially deferred
  for each row when (current_user = 'authenticated')
  execute function tenancy.invitation_audited();

create constraint trigger invitations_audited_revoke
  after update of revoked_at on public.invitations
  deferrable initially deferred
  for each row when (current_user = 'authenticated' and old.revoked_at is null and new.revoked_at is not null)
  execute function tenancy.invitation_audited();
