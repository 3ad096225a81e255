-- Temporary objects only for the roles that need them.
--
-- Postgres grants TEMPORARY on every new database to PUBLIC. The portal's own
-- temporary tables are made by the owner (the kept visible set, inside
-- security-definer helpers; the scale seed) and by service_role (an archive
-- restore's user map; the key import during a restore). The request roles
-- (anon, authenticated) and the portal's login (portal_app) never need one,
-- and a temporary schema is what the pg_temp shadowing closed by
-- 20261201027300 needed: with TEMPORARY revoked from PUBLIC, a session holding
-- portal_app's login can no longer plant temporary types or relations at all.
-- Database privileges belong to the database (CREATE DATABASE does not copy
-- them from a template, pg_dump writes them only with --create), so this runs
-- on the database being migrated; tests/temp-not-public.test.ts checks it.
do $$
begin
  execute format('revoke temporary on database %I from public', current_database());
  execute format('grant temporary on database %I to service_role', current_database());
end
$$;
