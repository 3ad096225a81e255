-- Which tenants still have a retiring data key: a DEK rotation that has not
-- finished re-sealing (or failed part-way). The console's Keys page filters
-- on it ("rotation pending") across every tenant the caller can see, while it
-- reads full key status (keyring.key_status) only for the 50 tenants of the
-- page it shows.
--
-- `scopes` are ltree paths (the caller's membership roots, from its claims);
-- the answer is tenant ids below them, no key material. The page only uses
-- them to narrow the tenants RLS lets the caller see. Retiring keys are few
-- (a rotation retires its old key when it finishes), so a partial index keeps
-- this a few index probes. Like everything in keyring: service role only.
create index tenant_keys_retiring on keyring.tenant_keys (tenant_id) where status = 'retiring';

create function keyring.retiring_tenant_ids(scopes text[]) returns setof uuid
  language sql stable security definer set search_path = ''
  as $$
    select distinct k.tenant_id
      from keyring.tenant_keys k
      join public.tenants t on t.id = k.tenant_id
     where k.status = 'retiring'
       and exists (select 1 from unnest(scopes) s(path) where t.path operator(extensions.<@) s.path::extensions.ltree)
  $$;

revoke execute on function keyring.retiring_tenant_ids(text[]) from public;
grant execute on function keyring.retiring_tenant_ids(text[]) to service_role;
