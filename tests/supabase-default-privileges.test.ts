// On Supabase, default privileges grant ALL on every new table, function and
// sequence in `public` to anon, authenticated and service_role
// (supabase/postgres, migrations/db/init-scripts/00000000000000-initial-schema.sql).
// A migration that grants without revoking first then leaves those in place,
// and column grants mean nothing: authenticated reads users.password_hash.
// Here a fresh database gets Supabase's default privileges BEFORE the
// migrations run; afterwards every grant must be exactly what the same
// migrations give on plain Postgres, and the attacks that worked must fail.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type pg from "pg";
import { migrate } from "@/lib/db/migrate";
import { insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { attempt, assertRefused, assertRows } from "./helpers/sql";
import { createTestDatabase, withClient, withDatabase, type TestDatabase } from "./helpers/test-database";

// Supabase's statements, run by the role that then creates the objects (on
// Supabase, `postgres`; here the test database's owner). The roles exist on
// this cluster already (the plain database below was migrated first).
const SUPABASE_DEFAULT_PRIVILEGES = `
  grant usage on schema public to anon, authenticated, service_role;
  alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
  alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
  alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;`;

/** Every privilege held by PUBLIC or one of the portal's roles, on anything outside the system schemas. */
const GRANTS = `
  with roles(oid, name) as (
    select 0::oid, 'PUBLIC' union all
    select oid, rolname::text from pg_roles
     where rolname in ('anon', 'authenticated', 'service_role', 'portal_app', 'supabase_auth_admin')
  ), sch as (
    select oid, nspname, nspacl, nspowner from pg_namespace
     where nspname not in ('pg_catalog', 'information_schema') and nspname not like 'pg\\_%'
  ), ent as (
    select 'schema' as kind, n.nspname::text as obj, a.grantee, a.privilege_type
      from sch n cross join lateral aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
    union all
    select case c.relkind when 'S' then 'sequence' else 'table' end, format('%I.%I', n.nspname, c.relname), a.grantee, a.privilege_type
      from pg_class c join sch n on n.oid = c.relnamespace
      cross join lateral aclexplode(coalesce(c.relacl, acldefault(case c.relkind when 'S' then 's' else 'r' end::"char", c.relowner))) a
     where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
    union all
    select 'column', format('%I.%I.%I', n.nspname, c.relname, att.attname), a.grantee, a.privilege_type
      from pg_class c join sch n on n.oid = c.relnamespace
      join pg_attribute att on att.attrelid = c.oid and att.attnum > 0 and not att.attisdropped and att.attacl is not null
      cross join lateral aclexplode(att.attacl) a
    union all
    select 'function', p.oid::regprocedure::text, a.grantee, a.privilege_type
      from pg_proc p join sch n on n.oid = p.pronamespace
      cross join lateral aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
  )
  select e.kind || ' ' || e.obj || ' ' || r.name || ' ' || e.privilege_type as g
    from ent e join roles r on r.oid = e.grantee
   order by 1`;

const grantsOf = async (url: string) => (await withClient(url, (c) => c.query<{ g: string }>(GRANTS))).rows.map((r) => r.g);

let plain: TestDatabase;
let supabaseUrl: string;
const supabaseDb = `supa_${process.pid}_${randomBytes(4).toString("hex")}`;
let fx: Fixtures;

before(async () => {
  plain = await createTestDatabase({ setEnv: false });
  await withClient(plain.adminUrl, (c) => c.query(`create database ${supabaseDb}`));
  supabaseUrl = withDatabase(plain.adminUrl, supabaseDb);
  await withClient(supabaseUrl, (c) => c.query(SUPABASE_DEFAULT_PRIVILEGES));
  await migrate(supabaseUrl);
  fx = await insertFixtures(supabaseUrl);
});
after(async () => {
  await withClient(plain.adminUrl, (c) => c.query(`drop database if exists ${supabaseDb} with (force)`));
  await plain.drop();
});

test("control: Supabase's default privileges are in place on that database", async () => {
  const { rows } = await withClient(supabaseUrl, (c) =>
    c.query<{ n: number }>(`select count(*)::int as n from pg_default_acl d join pg_namespace n on n.oid = d.defaclnamespace
                             where n.nspname = 'public' and d.defaclobjtype in ('r', 'f', 'S')`),
  );
  assert.equal(rows[0].n, 3);
  // A table created now, outside the migrations, does get ALL for anon: the defaults work.
  const o = await withClient(supabaseUrl, async (c) => {
    await c.query("begin");
    await c.query("create table public.defaults_probe (x int)");
    const r = await c.query("select has_table_privilege('anon', 'public.defaults_probe', 'TRUNCATE') as t");
    await c.query("rollback");
    return r.rows[0].t;
  });
  assert.equal(o, true);
});

test("every grant after migrating is exactly what the migrations give on plain Postgres", async () => {
  const expected = await grantsOf(plain.url);
  // Supabase's own USAGE on schema public (PUBLIC holds it anyway) is not the migrations' doing.
  const supabaseOwn = ["anon", "authenticated", "service_role"].map((r) => `schema public ${r} USAGE`);
  const actual = (await grantsOf(supabaseUrl)).filter((g) => !supabaseOwn.includes(g));
  assert.ok(expected.length > 100, `found ${expected.length} grants`);
  const extra = actual.filter((g) => !expected.includes(g));
  const missing = expected.filter((g) => !actual.includes(g));
  assert.deepEqual({ extra, missing }, { extra: [], missing: [] });
});

/** One rolled-back transaction on the Supabase-like database as `role`, with `user`'s real claims (the hook's). */
async function asRole<T>(role: "anon" | "authenticated" | "service_role", user: UserName, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  return withClient(supabaseUrl, async (c) => {
    await c.query("begin");
    try {
      await c.query("select set_config('request.jwt.claims', (public.custom_access_token_hook($1::jsonb) -> 'claims')::text, true)", [
        JSON.stringify({ user_id: fx.users[user], claims: { sub: fx.users[user] } }),
      ]);
      await c.query(`set local role ${role}`);
      return await fn(c);
    } finally {
      await c.query("rollback");
    }
  });
}

describe("on a database with Supabase's default privileges", () => {
  test("authenticated cannot read the password hash, lockout counters or invitation token hashes", async () => {
    await asRole("authenticated", "acmeAdmin", async (c) => {
      assertRefused(await attempt(c, "select password_hash from public.users"));
      assertRefused(await attempt(c, "select failed_login_count, locked_until from public.users"));
      assertRefused(await attempt(c, "select * from public.users"));
      assertRefused(await attempt(c, "select token_hash from public.invitations"));
      // Control: the granted columns read.
      assertRows(await attempt(c, "select id, email, name from public.users where id = $1", [fx.users.acmeAdmin]), 1);
    });
  });

  test("a tenant admin cannot move its tenant (parent_id), rename it or change its status", async () => {
    await asRole("authenticated", "acmeAdmin", async (c) => {
      assertRefused(await attempt(c, "update public.tenants set parent_id = $1 where id = $2", [fx.tenants["mssp-b"], fx.tenants.acme]));
      assertRefused(await attempt(c, "update public.tenants set status = 'active', slug = 'acme-2', name = 'x' where id = $1", [fx.tenants.acme]));
      assertRefused(await attempt(c, "insert into public.tenants (parent_id, slug, name, kind) values ($1, 'evil', 'Evil', 'site')", [fx.tenants.acme]));
      // Control: the tenant's settings are written where they live now (lib/settings).
      assertRows(await attempt(c, "insert into public.tenant_settings (tenant_id, key, value) values ($1, 'session.mfa_required', 'true')", [fx.tenants.acme]), 1);
    });
  });

  test("authenticated cannot add itself a membership, change users or truncate anything", async () => {
    await asRole("authenticated", "acmeAnalyst", async (c) => {
      assertRefused(await attempt(c, "insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'tenant_admin')", [fx.tenants.acme, fx.users.acmeAnalyst]));
      assertRefused(await attempt(c, "update public.users set password_hash = 'x', failed_login_count = 0 where id = $1", [fx.users.acmeAnalyst]));
      assertRefused(await attempt(c, "update public.memberships set tenant_id = tenant_id"));
      for (const t of ["alerts", "assets", "tenants", "users", "memberships", "credentials", "jobs", "audit_log", "invitations"]) {
        assertRefused(await attempt(c, `truncate public.${t} cascade`));
      }
    });
  });

  test("anon reaches no table and no public function", async () => {
    await asRole("anon", "msspAdmin", async (c) => {
      for (const t of ["alerts", "tenants", "users", "memberships", "credentials", "user_mfa", "invitations"]) {
        assertRefused(await attempt(c, `select 1 from public.${t} limit 1`));
        assertRefused(await attempt(c, `truncate public.${t} cascade`));
      }
      assertRefused(await attempt(c, "select public.custom_access_token_hook('{}'::jsonb)"));
      // public.accept_invitation is gone (issue 9, finding 10; acceptance is lib/team/accept.ts on a service path).
      assertRefused(await attempt(c, "select * from public.accept_invitation('\\x00'::bytea)"), "42883");
    });
  });

  test("service_role cannot truncate the audit trail, the tenant tree or the MFA secrets (TRUNCATE skips RLS and triggers)", async () => {
    await asRole("service_role", "msspAdmin", async (c) => {
      for (const t of ["audit_log", "alerts", "tenants", "user_mfa"]) assertRefused(await attempt(c, `truncate public.${t} cascade`));
      assertRefused(await attempt(c, "update public.audit_log set action = 'x'"));
      // Control: what its paths need still works.
      assertRows(await attempt(c, "select 1 from public.user_mfa limit 0"), 0);
      assertRows(await attempt(c, "select id from public.tenants"));
    });
  });
});
