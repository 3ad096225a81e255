-- Supabase compatibility layer.
--
-- On a Supabase project every object below already exists and each statement
-- is a no-op. On plain Postgres (the embedded default, CI, a self-hosted
-- cluster) it creates exactly what the portal relies on, with Supabase's
-- semantics, so the rest of the migrations are written once for both.

create schema if not exists extensions;
create extension if not exists ltree with schema extensions;
create extension if not exists pgcrypto with schema extensions;

-- Roles. NOLOGIN: the application connects as the owner and switches with
-- SET LOCAL ROLE inside a transaction; nobody signs in as these directly.
-- Roles belong to the cluster, not the database: two databases of one
-- cluster migrated at the same moment (the test suite does this) may both
-- find a role missing, and the slower CREATE ROLE then fails with a unique
-- violation. Each role is therefore created in a block of its own that
-- treats "someone else just created it" as done.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    begin
      create role anon nologin noinherit;
      execute format('grant anon to %I', current_user);
    exception when duplicate_object or unique_violation then
      null; -- created by a concurrent migration run, which grants it too
    end;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    begin
      create role authenticated nologin noinherit;
      execute format('grant authenticated to %I', current_user);
    exception when duplicate_object or unique_violation then
      null;
    end;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    begin
      -- Supabase's service_role bypasses RLS; so does ours. Only named
      -- service-role code paths (lib/db/service-role.ts) ever switch to it.
      create role service_role nologin noinherit bypassrls;
      execute format('grant service_role to %I', current_user);
    exception when duplicate_object or unique_violation then
      null;
    end;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
    begin
      -- The role Supabase Auth runs the custom access-token hook as.
      create role supabase_auth_admin nologin noinherit;
    exception when duplicate_object or unique_violation then
      null;
    end;
  end if;
end
$$;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;
grant usage on schema extensions to anon, authenticated, service_role, supabase_auth_admin;

-- auth.jwt(), auth.uid(), auth.role(): read the claims PostgREST (or our
-- withTenant) put in request.jwt.claims for the current transaction.
-- Created only where missing so Supabase's own definitions are never replaced.
do $$
begin
  if to_regprocedure('auth.jwt()') is null then
    create function auth.jwt() returns jsonb
      language sql stable
      as $fn$
        select coalesce(
          nullif(current_setting('request.jwt.claim', true), ''),
          nullif(current_setting('request.jwt.claims', true), '')
        )::jsonb
      $fn$;
  end if;
  if to_regprocedure('auth.uid()') is null then
    create function auth.uid() returns uuid
      language sql stable
      as $fn$
        select coalesce(
          nullif(current_setting('request.jwt.claim.sub', true), ''),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
        )::uuid
      $fn$;
  end if;
  if to_regprocedure('auth.role()') is null then
    create function auth.role() returns text
      language sql stable
      as $fn$
        select coalesce(
          nullif(current_setting('request.jwt.claim.role', true), ''),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
        )::text
      $fn$;
  end if;
end
$$;

grant execute on function auth.jwt(), auth.uid(), auth.role() to anon, authenticated, service_role;

-- Supabase grants broad table privileges to anon/authenticated by default and
-- relies on RLS. We do the opposite: nothing is granted unless a migration
-- grants it explicitly, and functions are not executable by PUBLIC.
alter default privileges in schema public revoke execute on functions from public;
