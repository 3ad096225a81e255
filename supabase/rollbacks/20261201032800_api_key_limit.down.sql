-- Rollback of 20261201032800_api_key_limit: the database no longer counts a tenant's live API keys
-- (the trigger and its function go), and settings.integer_settings no longer holds limits.api_keys.
drop trigger api_keys_within_limit on public.api_keys;
drop function settings.refuse_past_api_key_limit();
delete from settings.integer_settings where key = 'limits.api_keys';
