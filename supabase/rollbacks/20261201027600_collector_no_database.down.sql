-- Rollback of 20261201027600_collector_no_database: portal_collector is again a
-- member of authenticated with the API key hook (the login itself is left
-- NOLOGIN: the deployment gives it a password again if it runs an older
-- collector). The older collector connected to the database with it; with it
-- back, a holder of that login can again set any claims (see the migration).
do $$
begin
  if not pg_has_role('portal_collector', 'authenticated', 'member') then
    grant authenticated to portal_collector;
  end if;
end
$$;
grant execute on function public.api_key_access_token(jsonb) to portal_collector;
