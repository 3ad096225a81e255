-- Connector credentials: the secret is sealed by the application (AES-256-GCM
-- under the tenant's DEK, lib/vault/seal.ts); the database only ever sees the
-- sealed bytes, the key version and a four-character hint.

create table public.credentials (
  tenant_id     uuid not null references public.tenants (id) on delete cascade,
  id            uuid not null,
  connector     text not null check (connector in
                  ('crowdstrike_falcon', 'sentinelone', 'microsoft_defender', 'splunk_hec', 'generic_api_key')),
  name          text not null check (length(btrim(name)) between 1 and 80),
  -- Non-secret settings (client id, URLs, region); validated per connector.
  config        jsonb not null default '{}' check (jsonb_typeof(config) = 'object'),
  -- version byte || nonce || ciphertext || tag; AAD = tenant, id, key version.
  sealed        bytea not null check (length(sealed) > 29),
  key_version   integer not null,
  -- The last four characters, shown masked as "••••abcd".
  secret_hint   text not null check (length(secret_hint) <= 4),
  expires_at    timestamptz,
  created_at    timestamptz not null default now(),
  created_by    uuid references public.users (id) on delete set null,
  rotated_at    timestamptz,
  rotated_by    uuid references public.users (id) on delete set null,
  last_used_at  timestamptz,
  primary key (tenant_id, id),
  constraint credentials_name_unique unique (tenant_id, name),
  foreign key (tenant_id, key_version) references keyring.tenant_keys (tenant_id, version)
);

-- A write may seal only under the tenant's active key. The share lock makes a
-- DEK rotation's final check (keyring.retire_tenant_key) wait for writers that
-- sealed under the old key, so no credential is ever left behind it.
create function keyring.check_seal_key() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
declare
  key_status text;
begin
  select k.status into key_status from keyring.tenant_keys k
   where k.tenant_id = new.tenant_id and k.version = new.key_version for share;
  if key_status is distinct from 'active' then
    raise exception 'credential sealed under key version % of its tenant, which is %; seal it again with the active key',
      new.key_version, coalesce(key_status, 'missing') using errcode = '40001';
  end if;
  return new;
end
$$;
revoke execute on function keyring.check_seal_key() from public;

create trigger credentials_check_seal_key
  before insert or update of sealed, key_version on public.credentials
  for each row execute function keyring.check_seal_key();

create index credentials_key_version on public.credentials (tenant_id, key_version);

alter table public.credentials enable row level security;
alter table public.credentials force row level security;
grant select, insert, update, delete on public.credentials to authenticated, service_role;

create policy "Credentials are visible to members of the tenant or an ancestor"
  on public.credentials for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "Admins add credentials to their tenants"
  on public.credentials for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Admins change credentials of their tenants"
  on public.credentials for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Admins delete credentials of their tenants"
  on public.credentials for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
