-- Rollback of 20261129000200_credentials. Drops every stored credential.
drop table if exists public.credentials;
drop function if exists keyring.check_seal_key();
