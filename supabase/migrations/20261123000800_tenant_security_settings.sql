-- Tenant admins (and MSSP admins above them) may switch "require MFA for
-- every member" on their tenants. Only that column is writable; the PDP
-- decides settings:manage first, and this policy holds regardless.
grant update (require_mfa) on public.tenants to authenticated;

create policy "Admins change security settings of tenants they administer"
  on public.tenants for update to authenticated
  using (id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))))
  with check (id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
