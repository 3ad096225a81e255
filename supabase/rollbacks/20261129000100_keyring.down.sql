-- Rollback of 20261129000100_keyring. Destroys every tenant key: anything
-- sealed under them can never be opened again (roll back credentials first).
drop trigger if exists tenants_create_key on public.tenants;
delete from vault.secrets where name like 'mssp-portal/kek/%';
drop schema if exists keyring cascade;
