// The portal logs in as portal_app (supabase/migrations/…0700_portal_app_role),
// which owns nothing: tenant data is reachable only after withTenant's SET
// LOCAL ROLE authenticated (under RLS) or withServiceRole's service_role. These
// tests take the app's own pooled connection and try everything a missed or
// skipped role switch would allow: reading and writing every table in public,
// keyring and vault, turning RLS off, becoming the owner, calling the RLS
// helpers and the key functions. Each has a control that the same statement
// works for the owner, or after the switch, so a refusal means the role and
// not a typo.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { getPool } from "@/lib/db/pool";
import { inTransaction } from "@/lib/db/with-tenant";
import { APP_ROLE, scramVerifier, urlAs } from "@/scripts/lib/app-role";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as, assertRefused, assertRows, attempt } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const db: TestDatabase = await createTestDatabase();
// Every table in the schemas that hold data or keys, found at load time so a new table is covered.
const TABLES: string[] = (
  await withClient(db.url, (c) =>
    c.query<{ t: string }>(`
      select format('%I.%I', n.nspname, c.relname) as t
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname in ('public', 'keyring', 'vault', 'auth', 'supabase_migrations') and c.relkind in ('r', 'p', 'v', 'm')
       order by 1`),
  )
).rows.map((r) => r.t);

let fx: Fixtures;
before(async () => {
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

/** A transaction on the app's pool with no role switch: what a bug that skipped withTenant would run as. */
const raw = <T>(fn: (client: pg.PoolClient) => Promise<T>) => inTransaction(fn);

describe("the app's login role, before any role switch", () => {
  test("the pool logs in as portal_app: not a superuser, owns nothing, bypasses nothing", async () => {
    const { rows } = await getPool().query(
      `select current_user as me, r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb, r.rolinherit,
              (select count(*)::int from pg_class c where c.relowner = r.oid) as owned
         from pg_roles r where r.rolname = current_user`,
    );
    assert.deepEqual(rows[0], { me: APP_ROLE, rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false, rolinherit: false, owned: 0 });
    assert.ok(TABLES.length >= 15, `found ${TABLES.length} tables`);
  });

  test("reads nothing from any table in public, keyring, vault, auth or the migration ledger (42501)", async () => {
    await raw(async (c) => {
      for (const t of TABLES) assertRefused(await attempt(c, `select * from ${t} limit 1`));
    });
    // Control: the owner reads them.
    await withClient(db.url, async (c) => {
      await c.query("begin");
      for (const t of TABLES) assertRows(await attempt(c, `select 1 from ${t} limit 0`), 0);
      await c.query("rollback");
    });
  });

  test("writes nothing either", async () => {
    await raw(async (c) => {
      assertRefused(await attempt(c, "insert into public.tenants (slug, name, kind) values ('evil', 'Evil', 'mssp')"));
      assertRefused(await attempt(c, "update public.memberships set role = 'mssp_admin'"));
      assertRefused(await attempt(c, "delete from public.audit_log"));
      assertRefused(await attempt(c, "delete from keyring.tenant_keys"));
    });
  });

  test("cannot turn RLS off, change a policy or drop a table", async () => {
    await raw(async (c) => {
      assertRefused(await attempt(c, "alter table public.alerts disable row level security"));
      assertRefused(await attempt(c, "alter table public.alerts no force row level security"));
      assertRefused(await attempt(c, `drop policy "Alerts are visible to members of the tenant or an ancestor" on public.alerts`));
      assertRefused(await attempt(c, "drop table public.alerts"));
    });
  });

  test("cannot become the owner, a superuser or supabase_auth_admin", async () => {
    const owner = new URL(db.url).username;
    await raw(async (c) => {
      for (const role of [owner, "postgres", "supabase_auth_admin"]) {
        const o = await attempt(c, `set local role ${role}`);
        assert.equal(o.ok, false, `SET ROLE ${role} succeeded`);
      }
      assertRefused(await attempt(c, `set local session authorization ${owner}`));
    });
  });

  test("cannot call the RLS helpers or the key functions directly", async () => {
    await raw(async (c) => {
      assertRefused(await attempt(c, "select keyring.unwrap_dek($1::uuid, 1)", [fx.tenants.acme]));
      assertRefused(await attempt(c, "select keyring.destroy_tenant_keys($1::uuid)", [fx.tenants.acme]));
      assertRefused(await attempt(c, "select * from vault.decrypted_secrets"));
    });
  });

  test("control: after withTenant's switch the same connection reads what RLS allows, and no more", async () => {
    const slugs = await as(fx, "acmeAdmin", async ({ client }) => (await client.query("select slug from public.tenants order by slug")).rows.map((r) => r.slug));
    assert.deepEqual(slugs, ["acme", "acme-eu", "acme-us"]);
  });
});

describe("the app's login", () => {
  test("its password is set as a SCRAM verifier (the statement never holds the password), and only the right one logs in", async () => {
    const stored = await withClient(db.url, async (c) => (await c.query("select rolpassword from pg_authid where rolname = $1", [APP_ROLE])).rows[0].rolpassword);
    assert.match(stored, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    const password = decodeURIComponent(new URL(db.appUrl).password);
    assert.ok(!stored.includes(password));
    assert.ok(!scramVerifier(password).includes(password));
    // Two verifiers of one password differ (salt), and neither holds it.
    assert.notEqual(scramVerifier(password), scramVerifier(password));
    const login = async (url: string) => {
      const c = new pg.Client({ connectionString: url });
      try {
        await c.connect();
        return (await c.query("select current_user as me")).rows[0].me as string;
      } catch (error) {
        return (error as { code?: string }).code ?? "error";
      } finally {
        await c.end().catch(() => {});
      }
    };
    assert.equal(await login(db.appUrl), APP_ROLE);
    // The embedded test server checks passwords (pg_hba "password"): a wrong one is refused.
    assert.equal(await login(urlAs(db.url, APP_ROLE, `${password}-wrong`)), "28P01");
  });
});
