-- Rollback of 20261201027600_collector_no_database: the API-key hook is callable by
-- portal_collector again. Its membership in authenticated is not given back (a login that may
-- switch to authenticated can set any claims; roles are the cluster's, and a rollback here would
-- hand it back to every database on it): an older collector that logs in to the database needs
-- "grant authenticated to portal_collector" and a password, by hand, with that risk.
grant execute on function public.api_key_access_token(jsonb) to portal_collector;
