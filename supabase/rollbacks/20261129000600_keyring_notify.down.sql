-- Rollback of 20261129000600_keyring_notify (caches then fall back to their TTL).
drop trigger if exists tenant_keys_notify_gone on keyring.tenant_keys;
drop function if exists keyring.notify_key_gone();
