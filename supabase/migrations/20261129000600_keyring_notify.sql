-- Tell every portal process when a tenant key stops opening anything (retired
-- by a rotation, or destroyed by crypto-shredding), so each evicts its cached
-- copy at once instead of after its cache TTL (lib/vault/key-events.ts).
-- The payload names the tenant and version only: no key material. Postgres
-- delivers it at commit, and only then.
create function keyring.notify_key_gone() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
begin
  perform pg_notify('mssp_portal_keyring',
    json_build_object('tenant_id', new.tenant_id, 'version', new.version, 'status', new.status)::text);
  return null;
end
$$;
revoke execute on function keyring.notify_key_gone() from public;

create trigger tenant_keys_notify_gone
  after update of status on keyring.tenant_keys
  for each row
  when (new.status in ('retired', 'destroyed') and old.status is distinct from new.status)
  execute function keyring.notify_key_gone();
