// Migration 20261201030100: people record audit rows only through
// audit.record. Before, `authenticated` held INSERT on public.audit_log, so
// where the Data API serves `public` any member (a viewer too) could write a
// row with any action, outcome and details, chained like a real one. Here a
// viewer tries that directly and through the function with forged fields;
// recordAudit still writes for people, the service role and the owner.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { mkdtemp, readdir, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { recordAudit } from "@/lib/audit/record";
import { MIGRATIONS_DIR, migrate, rollback } from "@/lib/db/migrate";
import { withServiceRole } from "@/lib/db/service-role";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as, asRolledBack, assertRefused, attempt, claimsOf } from "./helpers/sql";
import { adminDatabaseUrl, createTestDatabase, withClient, withDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
});
after(async () => {
  await owner?.end();
  await db?.drop();
});

const rowsWith = async (requestId: string) =>
  (
    await owner.query<{ tenant_id: string; actor_id: string | null; action: string; outcome: string }>(
      "select tenant_id, actor_id, action, outcome from public.audit_log where request_id = $1 order by seq",
      [requestId],
    )
  ).rows;

const RECORD = "select audit.record($1, $2, $3, $4, $5, $6::jsonb, $7)";

describe("a viewer cannot forge audit rows", () => {
  test("a direct INSERT into public.audit_log is refused (42501), whatever the actor", async () => {
    await asRolledBack(fx, "acmeViewer", async (tx) => {
      for (const actor of [fx.users.acmeViewer, fx.users.acmeAdmin, null]) {
        assertRefused(
          await attempt(
            tx.client,
            `insert into public.audit_log (tenant_id, actor_id, action, outcome, details, request_id)
             values ($1, $2, 'credentials:rotate', 'success', '{"forged": true}', 'forged-direct')`,
            [fx.tenants.acme, actor],
          ),
        );
      }
    });
    assert.deepEqual(await rowsWith("forged-direct"), []);
  });

  test("through audit.record: another tenant, an auth:* action, a non-object details are refused", async () => {
    await asRolledBack(fx, "acmeViewer", async (tx) => {
      for (const tenant of [fx.tenants.globex, fx.tenants["other-co"], fx.tenants["mssp-a"]]) {
        assertRefused(await attempt(tx.client, RECORD, [tenant, "alerts:triage", null, null, "success", "{}", "forged-fn"]));
      }
      assertRefused(await attempt(tx.client, RECORD, [fx.tenants.acme, "auth:sign-in", "user", fx.users.acmeViewer, "success", '{"source":"198.51.100.1"}', "forged-fn"]));
      assertRefused(await attempt(tx.client, RECORD, [fx.tenants.acme, "alerts:triage", null, null, "success", "[1]", "forged-fn"]), "22023");
      assertRefused(await attempt(tx.client, RECORD, [fx.tenants.acme, "alerts:triage", null, null, "forged", "{}", "forged-fn"]), "23514");
    });
    assert.deepEqual(await rowsWith("forged-fn"), []);
  });

  test("signed-in claims without a subject get no row, and anon may not call the function", async () => {
    await withClient(db.url, async (c) => {
      await c.query("begin");
      try {
        await c.query(`select set_config('request.jwt.claims', '{"role":"authenticated"}', true)`);
        // As PostgREST sets it: the role GUC, not SET ROLE.
        await c.query("select set_config('role', 'authenticated', true)");
        assertRefused(await attempt(c, RECORD, [fx.tenants.acme, "alerts:triage", null, null, "success", "{}", "no-subject"]));
        await c.query("reset role");
        await c.query("set local role anon");
        assertRefused(await attempt(c, RECORD, [fx.tenants.acme, "alerts:triage", null, null, "success", "{}", "no-subject"]));
      } finally {
        await c.query("rollback");
      }
    });
  });

  test("the actor is always the caller: the function takes none", async () => {
    await withClient(db.url, async (c) => {
      await c.query("begin");
      try {
        await c.query(claimsOf(fx.users.acmeViewer));
        await c.query("set local role authenticated");
        await c.query(RECORD, [fx.tenants["acme-eu"], "alerts:read", null, null, "success", "{}", "as-viewer-raw"]);
        await c.query("commit");
      } catch (error) {
        await c.query("rollback");
        throw error;
      }
    });
    assert.deepEqual(await rowsWith("as-viewer-raw"), [{ tenant_id: fx.tenants["acme-eu"], actor_id: fx.users.acmeViewer, action: "alerts:read", outcome: "success" }]);
  });
});

describe("every legitimate writer still writes", () => {
  test("recordAudit as a viewer, in its own tenant and a site below", async () => {
    await as(fx, "acmeViewer", async (tx) => {
      await recordAudit(tx, { tenantId: fx.tenants.acme, action: "alerts:read", outcome: "success", requestId: "viewer-app" });
      await recordAudit(tx.db, { tenantId: fx.tenants["acme-us"], action: "alerts:read", outcome: "denied", requestId: "viewer-app" });
    });
    assert.deepEqual(
      (await rowsWith("viewer-app")).map((r) => [r.tenant_id, r.actor_id, r.outcome]).sort(),
      [
        [fx.tenants.acme, fx.users.acmeViewer, "success"],
        [fx.tenants["acme-us"], fx.users.acmeViewer, "denied"],
      ].sort(),
    );
  });

  test("recordAudit through the service role and as the owner: a row without actor, any tenant", async () => {
    await withServiceRole("lifecycle.archive", (sdb) =>
      recordAudit(sdb, { tenantId: fx.tenants["other-co"], action: "tenant.import-requested", outcome: "success", requestId: "system-rows" }),
    );
    await withClient(db.url, (c) =>
      recordAudit({ $client: c } as never, { tenantId: fx.tenants.globex, action: "tenant.suspended", outcome: "success", requestId: "system-rows" }),
    );
    assert.deepEqual(
      (await rowsWith("system-rows")).map((r) => [r.tenant_id, r.actor_id]).sort(),
      [
        [fx.tenants["other-co"], null],
        [fx.tenants.globex, null],
      ].sort(),
    );
  });
});

describe("the rollback", () => {
  const VERSION = "20261201030100";
  /** What the migration changes: audit_log's grants and policies, the audit schema's grants, the function. */
  const shape = (url: string) =>
    withClient(url, async (c) => ({
      policies: (
        await c.query(`select policyname, cmd, roles::text, qual, with_check from pg_policies
                        where schemaname = 'public' and tablename = 'audit_log' order by 1`)
      ).rows,
      table: (await c.query("select relacl::text from pg_class where oid = 'public.audit_log'::regclass")).rows[0].relacl,
      schema: (await c.query("select nspacl::text from pg_namespace where nspname = 'audit'")).rows[0].nspacl,
      fn: (await c.query("select to_regprocedure('audit.record(uuid, text, text, text, text, jsonb, text)')::text as f")).rows[0].f,
    }));

  test("restores the grant, the policy and the schema's privileges exactly as before the migration", async () => {
    const adminUrl = await adminDatabaseUrl();
    const name = `audit_record_rb_${process.pid}`;
    const dir = await mkdtemp(path.join(tmpdir(), "migrations-before-"));
    await withClient(adminUrl, (c) => c.query(`create database ${name}`));
    const url = withDatabase(adminUrl, name);
    try {
      for (const f of (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith(".sql") && f < VERSION)) {
        await symlink(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
      }
      // Cluster-wide roles: one database migrates at a time (tests/helpers/test-database.ts).
      await withClient(adminUrl, async (lock) => {
        await lock.query("select pg_advisory_lock(20261206)");
        await migrate(url, { dir });
        const before = await shape(url);
        assert.equal(before.fn, null);
        assert.ok(before.policies.some((p) => p.cmd === "INSERT"), "the insert policy exists before");
        await migrate(url);
        const migrated = await shape(url);
        assert.notDeepEqual(migrated, before);
        assert.ok(!migrated.policies.some((p) => p.cmd === "INSERT"));
        await rollback(url, { toVersion: String(Number(VERSION) - 1) });
        assert.deepEqual(await shape(url), before);
      });
    } finally {
      await withClient(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
