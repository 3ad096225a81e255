-- Rollback of 20261129000000_vault_compat: drops the compat vault only, never
-- Supabase's (which this migration did not create). Every secret in it goes:
-- roll back 20261129000100_keyring first.
do $$
begin
  if obj_description('vault'::regnamespace, 'pg_namespace') = 'mssp-portal compat Supabase Vault' then
    drop schema vault cascade;
  end if;
exception when invalid_schema_name then
  null;
end
$$;
