-- Rollback of 20261123000200_access_token_hook. On Supabase, unregister the
-- hook in the dashboard (Auth > Hooks) first, or sign-ins will fail.
drop function if exists public.custom_access_token_hook(jsonb);
