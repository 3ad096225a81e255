-- Rollback of 20261201001000_tenant_settings: tenants.require_mfa comes back
-- with what is set today (on where the tenant's own session.mfa_required is
-- true; the column is inherited down the tree as the setting was), with its
-- grant, its policy and the MFA check that reads it. Every other setting is
-- lost with the table (the audit trail keeps their history).
alter table public.tenants
  add column require_mfa boolean not null default false;
comment on column public.tenants.require_mfa is
  'Members of this tenant, its sites and its ancestors must use two-step verification.';
update public.tenants t
   set require_mfa = true
 where exists (select 1 from public.tenant_settings s
                where s.tenant_id = t.id and s.key = 'session.mfa_required' and s.value = 'true'::jsonb);

grant update (require_mfa) on public.tenants to authenticated;
create policy "Admins change security settings of tenants they administer"
  on public.tenants for update to authenticated
  using (id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))))
  with check (id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));

create or replace function sessions.mfa_required(p_user uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
      from public.memberships m
      join public.tenants t on t.id = m.tenant_id
     where m.user_id = p_user
       and (m.role like 'mssp\_%'
            or exists (select 1 from public.tenants r
                        where r.require_mfa
                          and (r.path operator(extensions.@>) t.path
                               or r.path operator(extensions.<@) t.path))))
$$;
revoke all on function sessions.mfa_required(uuid) from public, anon, authenticated, service_role;
grant execute on function sessions.mfa_required(uuid) to service_role;

drop table public.tenant_settings;
drop schema settings cascade;
