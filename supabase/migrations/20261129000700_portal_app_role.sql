-- The role the running portal logs in as: portal_app.
--
-- Until now the app connected as the database owner (on the embedded and CI
-- databases, a superuser) and switched to `authenticated` or `service_role`
-- with SET LOCAL ROLE inside each transaction. The switch is always made
-- (lib/db/with-tenant.ts, lib/db/service-role.ts), but a statement that ever
-- ran before it, or a bug that skipped it, ran with the owner's rights: RLS
-- does not bind a superuser, and an owner can turn it off.
--
-- portal_app owns nothing and has no table rights of its own. It may:
--   - SET ROLE to anon, authenticated and service_role (membership, NOINHERIT:
--     their rights apply only after the switch);
--   - call the access-token hook (SECURITY DEFINER), which builds the claims
--     before the switch to `authenticated`.
-- Anything else it tries before switching is refused (42501).
--
-- The role is created NOLOGIN: a password never belongs in a migration. The
-- deployment gives it one (`alter role portal_app login password '…'`) or
-- creates a login role in it; the embedded, test and e2e databases do that
-- themselves (scripts/lib/app-role.ts). Migrations keep running as the owner.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'portal_app') then
    begin
      create role portal_app nologin noinherit;
    exception when duplicate_object or unique_violation then
      null; -- created by a concurrent migration of another database
    end;
  end if;
end
$$;

-- Membership lets portal_app SET ROLE; NOINHERIT means it holds none of their
-- rights before it does. (Granting an existing membership again is a no-op
-- notice; a concurrent grant of the same membership is caught like above.)
do $$
declare
  r text;
begin
  foreach r in array array['anon', 'authenticated', 'service_role'] loop
    if not pg_has_role('portal_app', r, 'member') then
      begin
        execute format('grant %I to portal_app', r);
      exception
        when duplicate_object or unique_violation then
          null;
        when insufficient_privilege then
          -- A managed Postgres may keep these grants to its admin role: the
          -- migration still succeeds (the app keeps working as the owner) and
          -- says what to run (docs/deployment.md).
          raise warning 'could not grant % to portal_app (%); run "grant % to portal_app" as a role that may, before the portal logs in as portal_app', r, sqlerrm, r;
      end;
    end if;
  end loop;
end
$$;

grant execute on function public.custom_access_token_hook(jsonb) to portal_app;
