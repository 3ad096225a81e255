-- Rollback of 20261201000100_mail_outbox: the outbox and the mailbox codes go
-- (queued mail is lost: it is rendered again by whatever sends it next), the
-- invitation flag goes, and public.accept_invitation comes back as it was
-- (20261123000700_team, grants as 20261130000500 left them).
drop trigger if exists outbox_dispatch on mail.outbox;
do $$
begin
  if to_regprocedure('graphile_worker.remove_job(text)') is not null then
    perform graphile_worker.remove_job(j.key) from graphile_worker.jobs j where j.key like 'mail:%';
  end if;
exception when others then null;
end
$$;
drop schema if exists mail cascade;

alter table public.invitations drop constraint if exists invitations_inviter_or_system;
alter table public.invitations drop column if exists issued_by_system;

create function public.accept_invitation(token_hash bytea)
  returns table (tenant_id uuid, role text)
  language plpgsql volatile security definer
  set search_path = ''
  as $$
declare
  caller uuid := auth.uid();
  caller_email text;
  inv public.invitations%rowtype;
begin
  select u.email into caller_email from public.users u where u.id = caller;
  if caller_email is null then
    raise exception 'not signed in' using errcode = '42501';
  end if;

  update public.invitations i
     set accepted_at = now(), accepted_by = caller
   where i.token_hash = accept_invitation.token_hash
     and i.accepted_at is null and i.revoked_at is null
     and i.expires_at > now()
     and i.email = caller_email
  returning * into inv;

  if inv.id is null then
    raise exception 'this invitation link is invalid, expired, already used, or for another email address'
      using errcode = '22023', hint = 'invitation_invalid';
  end if;

  insert into public.memberships (tenant_id, user_id, role)
  values (inv.tenant_id, caller, inv.role)
  on conflict on constraint memberships_pkey
    do update set role = case
      when tenancy.role_rank(excluded.role) > tenancy.role_rank(public.memberships.role) then excluded.role
      else public.memberships.role end;

  return query select inv.tenant_id, inv.role;
end
$$;
revoke all on function public.accept_invitation(bytea) from public, anon, authenticated, service_role;
grant execute on function public.accept_invitation(bytea) to authenticated;
