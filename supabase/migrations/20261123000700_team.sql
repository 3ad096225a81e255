-- Team management: invitations, and membership writes by admins under rules
-- the database enforces whatever the caller: nobody grants or changes a role
-- above their own, only within their subtree, and a tenant never loses its
-- last admin. The PDP decides who may manage users at all (users:manage);
-- these rules hold even if a code path forgot to ask it.

-- Role rank: a caller may grant, change or remove only roles ranked at or
-- below the best role they hold over the tenant.
create function tenancy.role_rank(role text) returns integer
  language sql immutable strict
  set search_path = ''
  as $$
    select case role
      when 'mssp_admin' then 5 when 'mssp_analyst' then 4
      when 'tenant_admin' then 3 when 'tenant_analyst' then 2 when 'tenant_viewer' then 1
      else 0 end
  $$;

-- The highest rank the caller holds over `target` (on it or an ancestor),
-- counting only admin roles (only admins manage people), narrowed by the
-- active tenant like every other helper. 0 when none.
create function tenancy.caller_admin_rank_on(target uuid) returns integer
  language sql stable security definer
  set search_path = ''
  as $$
    select coalesce(max(tenancy.role_rank(m.role)), 0)
      from public.memberships m
      join public.tenants mt on mt.id = m.tenant_id
      join public.tenants t on t.id = target
     where m.user_id = auth.uid()
       and m.role in ('mssp_admin', 'tenant_admin')
       and t.path operator(extensions.<@) mt.path
       and target = any (array(select tenancy.visible_tenant_ids()))
  $$;

-- Which role counts as "admin" of a tenant, by its kind.
-- Security definer: it must see the tenant even when the caller's own
-- change has just removed their access to it.
create function tenancy.admin_role_for(tenant uuid) returns text
  language sql stable security definer
  set search_path = ''
  as $$
    select case t.kind when 'mssp' then 'mssp_admin' else 'tenant_admin' end
      from public.tenants t where t.id = tenant
  $$;

-- The last admin of a tenant cannot be removed or demoted. Deferred, so a
-- transaction may add a new admin and remove the old one in either order.
-- A tenant being deleted (cascade) is exempt. Security definer: under the
-- caller's RLS, an admin removing themselves would no longer see the tenant
-- or its memberships, and the check would wrongly pass.
create function tenancy.keep_last_admin() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  if old.role <> tenancy.admin_role_for(old.tenant_id) then
    return null;
  end if;
  if not exists (select 1 from public.tenants t where t.id = old.tenant_id) then
    return null;
  end if;
  if not exists (
    select 1 from public.memberships m
     where m.tenant_id = old.tenant_id and m.role = tenancy.admin_role_for(old.tenant_id)
  ) then
    raise exception 'cannot remove the last admin of this tenant; make someone else admin first'
      using errcode = '23514', hint = 'last_admin';
  end if;
  return null;
end
$$;

create constraint trigger memberships_keep_last_admin
  after update or delete on public.memberships
  deferrable initially deferred
  for each row execute function tenancy.keep_last_admin();

-- No insert policy: a membership is created only by accepting an invitation
-- (public.accept_invitation below) or by provisioning on the service path,
-- never by an admin attaching an arbitrary existing user to a tenant.
grant update (role), delete on public.memberships to authenticated;

create policy "Admins change roles at or below their own rank"
  on public.memberships for update to authenticated
  using (tenancy.role_rank(role) <= tenancy.caller_admin_rank_on(tenant_id))
  with check (tenancy.role_rank(role) <= tenancy.caller_admin_rank_on(tenant_id));

create policy "Admins remove members at or below their own rank"
  on public.memberships for delete to authenticated
  using (tenancy.role_rank(role) <= tenancy.caller_admin_rank_on(tenant_id));

-- ---------------------------------------------------------------------------
-- Invitations
-- ---------------------------------------------------------------------------
create table public.invitations (
  tenant_id    uuid not null references public.tenants (id) on delete cascade,
  id           uuid not null default gen_random_uuid(),
  email        text not null check (email = lower(btrim(email)) and position('@' in email) > 1),
  role         text not null check (role in
                 ('mssp_admin', 'mssp_analyst', 'tenant_admin', 'tenant_analyst', 'tenant_viewer')),
  -- sha256 of the single-use token; the token itself is shown once and never stored.
  token_hash   bytea not null unique,
  invited_by   uuid references public.users (id) on delete set null,
  created_at   timestamptz not null default now(),
  expires_at   timestamptz not null,
  accepted_at  timestamptz,
  accepted_by  uuid references public.users (id) on delete set null,
  revoked_at   timestamptz,
  primary key (tenant_id, id),
  check (expires_at > created_at)
);
create index invitations_tenant_open on public.invitations (tenant_id, created_at desc)
  where accepted_at is null and revoked_at is null;

create trigger invitations_check_role
  before insert or update on public.invitations
  for each row execute function tenancy.check_membership_role();

alter table public.invitations enable row level security;
alter table public.invitations force row level security;
grant select (tenant_id, id, email, role, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at),
      insert on public.invitations to authenticated;
grant update (revoked_at) on public.invitations to authenticated;
grant select, insert, update, delete on public.invitations to service_role;

create policy "Admins see invitations of tenants they manage"
  on public.invitations for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));

create policy "Admins invite at or below their own rank"
  on public.invitations for insert to authenticated
  with check (
    invited_by = (select auth.uid())
    and accepted_at is null and revoked_at is null
    and tenancy.role_rank(role) <= tenancy.caller_admin_rank_on(tenant_id)
  );

create policy "Admins revoke invitations at or below their own rank"
  on public.invitations for update to authenticated
  using (tenancy.role_rank(role) <= tenancy.caller_admin_rank_on(tenant_id))
  with check (tenancy.role_rank(role) <= tenancy.caller_admin_rank_on(tenant_id));

-- Accepting an invitation: the invitee is not an admin, so RLS would refuse
-- the membership insert. This function is the one narrow door: the token's
-- hash must match an open, unexpired invitation addressed to the caller's
-- own email; it is consumed in the same statement (single use).
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

revoke execute on function public.accept_invitation(bytea) from public, anon;
grant execute on function public.accept_invitation(bytea) to authenticated;
revoke execute on all functions in schema tenancy from public;
grant execute on function tenancy.role_rank(text), tenancy.caller_admin_rank_on(uuid),
  tenancy.admin_role_for(uuid) to authenticated, service_role;
