-- Rollback of 20261129000700_portal_app_role. The role belongs to the cluster
-- and other databases on it may use it, so it is not dropped: only this
-- database's grant is taken back. Point DATABASE_URL at the owner again before
-- rolling back, or the app can no longer build claims.
revoke execute on function public.custom_access_token_hook(jsonb) from portal_app;
