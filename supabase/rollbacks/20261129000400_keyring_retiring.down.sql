-- Rollback of 20261129000400_keyring_retiring.
drop function if exists keyring.retiring_tenant_ids(text[]);
drop index if exists keyring.tenant_keys_retiring;
