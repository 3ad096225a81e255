-- An API key's id is never a person's id.
--
-- A key's claims carry sub = the key's id, and tenancy.caller_paths counts the
-- memberships of auth.uid() together with the key's own tenant: a key whose id
-- equalled a user's id would inherit that user's memberships (an MSSP admin's
-- whole tree). The portal generates key ids itself, but the insert policy lets an
-- admin's transaction choose any id, so the database refuses one that is a
-- user's (and a user whose id is a key's, the other way round).
create function api.refuse_shared_id() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if tg_table_name = 'api_keys' then
    if exists (select 1 from public.users u where u.id = new.id) then
      raise exception 'an API key id cannot be a user''s id' using errcode = '23505', hint = 'api_key_id';
    end if;
  elsif exists (select 1 from public.api_keys k where k.id = new.id) then
    raise exception 'a user id cannot be an API key''s id' using errcode = '23505', hint = 'api_key_id';
  end if;
  return new;
end
$$;
revoke all on function api.refuse_shared_id() from public, anon, authenticated, service_role;

create trigger api_keys_id_not_a_user before insert or update of id on public.api_keys
  for each row execute function api.refuse_shared_id();
create trigger users_id_not_an_api_key before insert or update of id on public.users
  for each row execute function api.refuse_shared_id();
