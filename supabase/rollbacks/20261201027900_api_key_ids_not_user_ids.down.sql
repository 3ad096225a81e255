-- Rollback of 20261201027900_api_key_ids_not_user_ids: key and user ids are no longer kept apart.
drop trigger users_id_not_an_api_key on public.users;
drop trigger api_keys_id_not_a_user on public.api_keys;
drop function api.refuse_shared_id();
