-- Rollback of 20261201013100: portal_collector loses what it was given. The
-- role itself stays (roles belong to the cluster; other databases on it may
-- use it): `drop role portal_collector` by hand once nothing does.
drop function api.unwrap_own_dek(integer);
revoke execute on function public.api_key_access_token(jsonb) from portal_collector;
revoke authenticated from portal_collector;
