// The migrations apply once, are idempotent, and produce the same secured
// schema on every supported Postgres major version (15, 16, 17).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test, type TestContext } from "node:test";
import { listMigrations, migrate } from "@/lib/db/migrate";
import { enableAppLogin, urlAs } from "@/scripts/lib/app-role";
import { findBinaries, startServer } from "./helpers/pg-binaries";
import { createTestDatabase, withClient, withDatabase, migrateInCluster } from "./helpers/test-database";

test("migrate applies every migration once; a second run applies nothing", async () => {
  const db = await createTestDatabase({ setEnv: false }); // already migrated once
  try {
    const all = (await listMigrations()).map((m) => `${m.version}_${m.name}`);
    assert.ok(all.length >= 4);
    assert.deepEqual(await migrateInCluster(db.url, db.adminUrl), []);
    const recorded = await withClient(db.url, (c) =>
      c.query<{ v: string }>("select version || '_' || name as v from supabase_migrations.schema_migrations order by version"),
    );
    assert.deepEqual(
      recorded.rows.map((r) => r.v),
      all,
    );
  } finally {
    await db.drop();
  }
});

test("a fresh database: the first run applies every migration, in order", async () => {
  const db = await createTestDatabase({ setEnv: false });
  const fresh = `fresh_${randomBytes(4).toString("hex")}`;
  try {
    await withClient(db.adminUrl, (c) => c.query(`create database ${fresh}`));
    const applied = await migrateInCluster(withDatabase(db.adminUrl, fresh), db.adminUrl);
    assert.deepEqual(applied, (await listMigrations()).map((m) => `${m.version}_${m.name}`));
  } finally {
    await withClient(db.adminUrl, (c) => c.query(`drop database if exists ${fresh} with (force)`));
    await db.drop();
  }
});

/** Migrates a new database `name` on the server at `adminUrl` and checks the result. */
async function migrateAndCheck(adminUrl: string, major: number, name: string): Promise<void> {
  await withClient(adminUrl, async (c) => {
    const version = (await c.query("show server_version_num")).rows[0].server_version_num;
    assert.equal(Math.floor(Number(version) / 10000), major, `server is Postgres ${major}`);
    await c.query(`create database ${name}`);
  });
  const url = withDatabase(adminUrl, name);
  assert.ok((await migrateInCluster(url, adminUrl)).length > 0);
  assert.deepEqual(await migrateInCluster(url, adminUrl), []);

  await withClient(url, async (c) => {
    const tables = await c.query<{ relname: string; rls: boolean; forced: boolean }>(`
      select c.relname, c.relrowsecurity as rls, c.relforcerowsecurity as forced
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`);
    assert.ok(tables.rows.length >= 5, "the public tables exist");
    for (const t of tables.rows) assert.ok(t.rls && t.forced, `RLS must be enabled and forced on ${t.relname}`);

    const hook = await c.query("select to_regprocedure('public.custom_access_token_hook(jsonb)') is not null as ok");
    assert.equal(hook.rows[0].ok, true, "the access-token hook exists");

    // A small smoke run of the tree and the hook on this version.
    await c.query("begin");
    const mssp = (await c.query("insert into tenants (slug, name, kind) values ('mssp-x', 'X', 'mssp') returning id")).rows[0].id;
    const cust = (
      await c.query("insert into tenants (parent_id, slug, name, kind) values ($1, 'cust-y', 'Y', 'customer') returning id", [mssp])
    ).rows[0].id;
    await c.query("insert into tenants (parent_id, slug, name, kind) values ($1, 'site-z', 'Z', 'site')", [cust]);
    await c.query("update tenants set slug = 'cust-w' where id = $1", [cust]);
    const paths = await c.query("select path::text as p from tenants order by path");
    assert.deepEqual(paths.rows.map((r) => r.p), ["mssp_x", "mssp_x.cust_w", "mssp_x.cust_w.site_z"]);
    const user = (await c.query("insert into users (email) values ('u@example.test') returning id")).rows[0].id;
    await c.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'tenant_admin')", [cust, user]);
    const out = await c.query("select public.custom_access_token_hook($1::jsonb) -> 'claims' as claims", [
      JSON.stringify({ user_id: user, claims: { sub: user, tenant_id: cust } }),
    ]);
    assert.equal(out.rows[0].claims.tenant_path, "mssp_x.cust_w");
    await c.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(out.rows[0].claims)]);
    await c.query("set local role authenticated");
    const seen = await c.query("select slug from tenants order by slug");
    assert.deepEqual(seen.rows.map((r) => r.slug), ["cust-w", "site-z"]);
    await c.query("rollback");
  });
}

describe("the schema migrates cleanly on every supported Postgres", { concurrency: true }, () => {
  test("Postgres 17 (embedded)", async () => {
    // The embedded server every file shares; a new, unmigrated database on it.
    const db = await createTestDatabase({ setEnv: false });
    const name = `pg17_${randomBytes(4).toString("hex")}`;
    try {
      await migrateAndCheck(db.adminUrl, 17, name);
    } finally {
      await withClient(db.adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
      await db.drop();
    }
  });

  for (const major of [16, 15]) {
    const found = findBinaries(major);
    const skip =
      "missing" in found
        ? `Postgres ${major} server binaries unavailable (${found.missing}); ${
            major === 15 ? "install the Debian package postgresql-15 (apt-get install postgresql-15)" : "run npm ci"
          }`
        : false;
    test(`Postgres ${major}`, { skip }, async () => {
      if ("missing" in found) return;
      const server = await startServer(found.bin);
      try {
        await migrateAndCheck(server.adminUrl, major, "portal");
      } finally {
        await server.stop();
      }
    });
  }
});

/**
 * Runs `fn` against a brand-new Postgres server (16 or 15, whichever is
 * installed): a fresh cluster with no roles yet. Skips the test without one.
 */
async function onFreshServer(t: TestContext, fn: (adminUrl: string) => Promise<void>): Promise<void> {
  const found = [16, 15].map((major) => findBinaries(major)).find((f) => !("missing" in f));
  if (!found || "missing" in found) return t.skip("no second Postgres server binaries");
  const server = await startServer(found.bin);
  try {
    await fn(server.adminUrl);
  } finally {
    await server.stop();
  }
}

// Roles belong to the cluster. Two databases of one fresh cluster migrated at
// once both find `anon` missing; the slower CREATE ROLE waits on the faster
// one's uncommitted row and then fails with a unique violation. The race is
// forced here: a session creates `anon` and holds its transaction open until
// the migration is seen waiting on it, then commits.
test("two databases of one fresh cluster can migrate at the same moment", (t) =>
  onFreshServer(t, async (adminUrl) => {
    await withClient(adminUrl, (c) => c.query("create database racer"));
    const url = withDatabase(adminUrl, "racer");
    await withClient(adminUrl, async (holder) => {
      await holder.query("begin");
      await holder.query("create role anon nologin noinherit");
      const migrating = migrate(url).then(
        (applied) => ({ ok: true as const, applied }),
        (error: Error) => ({ ok: false as const, error }),
      );
      // Until the migration's CREATE ROLE is blocked on our row (the query
      // text is the whole file, cut at track_activity_query_size).
      for (let i = 0; ; i++) {
        const { rows } = await withClient(adminUrl, (c) =>
          c.query("select 1 from pg_stat_activity where datname = 'racer' and wait_event_type = 'Lock'"),
        );
        if (rows.length > 0) break;
        assert.ok(i < 200, "the migration never blocked on CREATE ROLE anon");
        await new Promise((r) => setTimeout(r, 50));
      }
      await holder.query("commit");
      const outcome = await migrating;
      assert.ok(outcome.ok, outcome.ok ? "" : outcome.error.message);
      assert.ok(outcome.applied.length > 0);
    });
  }),
);

// Supabase's `postgres` is not a superuser: it has CREATEROLE and BYPASSRLS,
// and the API roles exist before any migration. The same shape here, on a
// fresh server: every migration applies as that owner, and the app then logs
// in as portal_app and reads under RLS.
test("a Supabase-like owner (not a superuser) migrates, and the app runs as portal_app", (t) =>
  onFreshServer(t, async (adminUrl) => {
    await withClient(adminUrl, async (c) => {
      await c.query("create role site_owner login createrole bypassrls password 'owner-pw'");
      for (const role of ["anon nologin noinherit", "authenticated nologin noinherit", "service_role nologin noinherit bypassrls", "supabase_auth_admin nologin noinherit"]) {
        await c.query(`create role ${role}`);
      }
      await c.query("grant anon, authenticated, service_role, supabase_auth_admin to site_owner with admin option");
      await c.query("create database portal owner site_owner");
    });
    const ownerUrl = urlAs(withDatabase(adminUrl, "portal"), "site_owner", "owner-pw");
    assert.ok((await migrateInCluster(ownerUrl, adminUrl)).length > 0);
    const appUrl = await enableAppLogin(ownerUrl);
    await withClient(ownerUrl, (c) => c.query("insert into public.tenants (slug, name, kind) values ('mssp-s', 'S', 'mssp')"));
    const seen = await withClient(appUrl, async (c) => {
      await c.query("begin");
      await c.query("select set_config('request.jwt.claims', (public.custom_access_token_hook($1::jsonb) -> 'claims')::text, true)", [
        JSON.stringify({ user_id: "00000000-0000-4000-8000-000000000000", claims: { sub: "00000000-0000-4000-8000-000000000000" } }),
      ]);
      await c.query("set local role authenticated");
      const { rows } = await c.query("select current_user as me, (select count(*)::int from public.tenants) as tenants");
      await c.query("rollback");
      return rows[0];
    });
    // A user with no membership sees no tenant, though one exists.
    assert.deepEqual(seen, { me: "authenticated", tenants: 0 });
  }),
);
