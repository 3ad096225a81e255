// An archive exported before today's migrations still restores (issue 8's
// offboarding archives vs issue 10's schema changes; lib/lifecycle/archive/upgrades.ts).
//
// The "older" archive is made honestly: the database is rolled back to the
// schema before 20261201001000_tenant_settings (tenants.require_mfa exists,
// alerts may be 'investigating'), a tenant is written there and exported by
// the current exporter (which reads the catalog, so it writes the old
// columns), then the database migrates forward and the archive is restored:
//   - with replace, into the same deployment: require_mfa=true comes back as
//     the tenant's session.mfa_required (read through lib/settings'
//     resolution), its site inherits it, false writes nothing, the
//     'investigating' alert is 'in_progress', verification passes, and the
//     rollup tables the archive predates are rebuilt from its alerts;
//   - into another deployment whose MSSP locked session.mfa_required off: the
//     row is carried, the lock above still decides (as for any restored row);
//   - an archive holding a column this deployment dropped with no known
//     upgrade is refused, with a message that says so (not "migrate first").
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { closePool } from "@/lib/db/pool";
import { rollback } from "@/lib/db/migrate";
import { withServiceRole } from "@/lib/db/service-role";
import { ArchiveError, exportTenant, restoreTenant } from "@/lib/lifecycle/archive";
import { effectiveConfigAsService } from "@/lib/settings";
import { clearKeyCache } from "@/lib/vault/keys";
import { assertSubtreeRollupsExact } from "./helpers/subtree-rollups";
import { createTestDatabase, withClient, type TestDatabase, migrateInCluster } from "./helpers/test-database";

/** The last migration before tenants.require_mfa was dropped and 'investigating' renamed. */
const BEFORE_SETTINGS = "20261201000300";

let dir: string;
let db: TestDatabase;
const key = randomBytes(32);
const ids: Record<string, string> = {};
let oldArchive: string;
let unknownArchive: string;

async function useDatabase(url: string) {
  await closePool();
  clearKeyCache();
  process.env.DATABASE_URL = url;
}

const settingOf = (tenantId: string) =>
  withServiceRole("lifecycle.archive", async (d) => (await effectiveConfigAsService(d, tenantId)).get("session.mfa_required"));

before(async () => {
  process.env.NEXTAUTH_SECRET = "archive-upgrades-test-secret";
  dir = await mkdtemp(path.join(os.tmpdir(), "archive-upgrades-"));
  db = await createTestDatabase({ setEnv: false });
  await rollback(db.url, { toVersion: BEFORE_SETTINGS });
  await withClient(db.url, async (c) => {
    const { rows } = await c.query(
      "insert into public.tenants (slug, name, kind) values ('mssp-old', 'Old MSSP', 'mssp') returning id",
    );
    ids["mssp-old"] = rows[0].id;
    const add = async (slug: string, kind: string, parent: string, requireMfa: boolean) => {
      const r = await c.query("insert into public.tenants (slug, name, kind, parent_id, require_mfa) values ($1, $1, $2, $3, $4) returning id", [
        slug, kind, parent, requireMfa,
      ]);
      ids[slug] = r.rows[0].id;
    };
    await add("oldco", "customer", ids["mssp-old"], true);
    await add("oldco-site", "site", ids.oldco, false);
    await add("otherco", "customer", ids["mssp-old"], false);
    await c.query(
      `insert into public.alerts (tenant_id, title, severity, source, status) values
         ($1, 'being looked at', 'high', 'edr', 'investigating'), ($1, 'closed long ago', 'low', 'edr', 'resolved'),
         ($2, 'at the site', 'medium', 'siem', 'investigating')`,
      [ids.oldco, ids["oldco-site"]],
    );
    // A column some older release had and this one dropped with no upgrade known for it.
    await c.query("alter table public.tenants add column legacy_flag boolean not null default false");
    await c.query("update public.tenants set legacy_flag = true where id = $1", [ids.otherco]);
  });
  // The export writes its audit row with today's recordAudit, through audit.record (migration
  // 20261201030100), which the old schema predates: a stand-in that inserts as the old code did,
  // dropped before the database migrates forward (the migration creates the real one).
  await withClient(db.url, (c) =>
    c.query(`create function audit.record(p_tenant uuid, p_action text, p_target_type text, p_target_id text, p_outcome text, p_details jsonb, p_request_id text)
               returns void language sql as $$
               insert into public.audit_log (tenant_id, action, target_type, target_id, outcome, details, request_id)
               values (p_tenant, p_action, p_target_type, p_target_id, p_outcome, coalesce(p_details, '{}'::jsonb), p_request_id) $$;
             grant execute on function audit.record(uuid, text, text, text, text, jsonb, text) to service_role`),
  );
  await useDatabase(db.appUrl);
  unknownArchive = path.join(dir, "otherco.archive");
  await exportTenant({ slug: "otherco", out: createWriteStream(unknownArchive), transferKey: key, via: "test" });
  await withClient(db.url, (c) => c.query("alter table public.tenants drop column legacy_flag"));
  oldArchive = path.join(dir, "oldco.archive");
  await exportTenant({ slug: "oldco", out: createWriteStream(oldArchive), transferKey: key, via: "test" });
  await closePool();
  await withClient(db.url, (c) => c.query("drop function audit.record(uuid, text, text, text, text, jsonb, text)"));
  await migrateInCluster(db.url, db.adminUrl);
});

after(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("an archive exported before today's migrations restores with replace: MFA as a setting, investigating as in_progress, verified", async () => {
  await useDatabase(db.appUrl);
  // Live rows that differ from the archive, so what comes back is the archive's doing.
  await withClient(db.url, async (c) => {
    await c.query("delete from public.tenant_settings where tenant_id = any ($1::uuid[])", [[ids.oldco, ids["oldco-site"]]]);
    await c.query("delete from public.alerts where tenant_id = any ($1::uuid[])", [[ids.oldco, ids["oldco-site"]]]);
  });
  assert.equal((await settingOf(ids.oldco)).value, false, "nothing set before the restore");

  const restored = await restoreTenant({ in: createReadStream(oldArchive), transferKey: key, replace: true, via: "test" });
  assert.deepEqual(restored.replaced.sort(), ["oldco", "oldco-site"]);
  // The export left a row in the live audit chain, which a restore keeps (restore.ts).
  const compared = Object.entries(restored.verified).filter(([name]) => name !== "public.audit_log" && name !== "audit.chain_heads");
  assert.ok(compared.every(([, v]) => v === "equal"), JSON.stringify(restored.verified));
  assert.equal(restored.verified["public.tenants"], "equal");
  assert.equal(restored.verified["public.alerts"], "equal");
  assert.deepEqual(restored.upgrades.map((u) => u.id).sort(), ["alerts.status-investigating", "tenants.require_mfa"]);

  const own = await settingOf(ids.oldco);
  assert.equal(own.value, true);
  assert.equal(own.source, "here");
  const site = await settingOf(ids["oldco-site"]);
  assert.equal(site.value, true);
  assert.equal(site.source, "inherited", "false in the archive writes nothing: the site inherits");
  const rows = await withClient(db.url, (c) =>
    c.query("select title, status from public.alerts where tenant_id = any ($1::uuid[]) order by title", [[ids.oldco, ids["oldco-site"]]]),
  );
  assert.deepEqual(rows.rows, [
    { title: "at the site", status: "in_progress" },
    { title: "being looked at", status: "in_progress" },
    { title: "closed long ago", status: "resolved" },
  ]);
  const settingsRows = await withClient(db.url, (c) =>
    c.query("select tenant_id, value, locked, changed_by from public.tenant_settings where tenant_id = any ($1::uuid[])", [[ids.oldco, ids["oldco-site"]]]),
  );
  assert.deepEqual(settingsRows.rows, [{ tenant_id: ids.oldco, value: true, locked: false, changed_by: null }]);

  // The archive predates every rollup table: they are rebuilt from the restored alerts, for the
  // customer and its MSSP (lib/lifecycle/archive/derived.ts).
  assert.deepEqual([...restored.rebuilt].sort(), [
    "public.alert_daily_rollups", "public.alert_open_counts", "public.alert_subtree_blocks", "public.alert_subtree_rollups", "public.asset_counts",
  ]);
  const figures = await withClient(db.url, async (c) => {
    await assertSubtreeRollupsExact(c, "after restoring an archive older than the rollups");
    return (await c.query(
      `select (select sum(created)::int from public.alert_daily_rollups where tenant_id = any ($1::uuid[])) as created,
              (select sum(open)::int from public.alert_open_counts where tenant_id = any ($1::uuid[])) as open,
              (select sum(created)::int from public.alert_subtree_rollups where tenant_id = $2) as mssp_created,
              (select sum(closed)::int from public.alert_subtree_rollups where tenant_id = $2) as mssp_closed`,
      [[ids.oldco, ids["oldco-site"]], ids["mssp-old"]],
    )).rows[0];
  });
  assert.deepEqual(figures, { created: 3, open: 2, mssp_created: 3, mssp_closed: 1 });
});

test("into another deployment whose MSSP locked the setting off: the row is carried and the lock above decides", async () => {
  const target = await createTestDatabase({ setEnv: false });
  try {
    await withClient(target.url, async (c) => {
      const { rows } = await c.query("insert into public.tenants (slug, name, kind) values ('mssp-x', 'MSSP X', 'mssp') returning id");
      await c.query("insert into public.tenant_settings (tenant_id, key, value, locked) values ($1, 'session.mfa_required', 'false', true)", [rows[0].id]);
    });
    await useDatabase(target.appUrl);
    const restored = await restoreTenant({ in: createReadStream(oldArchive), transferKey: key, parentSlug: "mssp-x", via: "test" });
    assert.deepEqual(restored.created.sort(), ["oldco", "oldco-site"]);
    assert.ok(Object.values(restored.verified).every((v) => v === "equal"), JSON.stringify(restored.verified));
    const own = await settingOf(ids.oldco);
    assert.equal(own.value, false);
    assert.equal(own.lockedBy?.tenantName, "MSSP X");
    const carried = await withClient(target.url, (c) => c.query("select value from public.tenant_settings where tenant_id = $1", [ids.oldco]));
    assert.deepEqual(carried.rows, [{ value: true }], "kept: it applies again if the MSSP unlocks");
  } finally {
    await useDatabase(db.appUrl);
    await target.drop();
  }
});

test("a column this deployment dropped with no known upgrade is refused, saying so", async () => {
  await useDatabase(db.appUrl);
  await assert.rejects(restoreTenant({ in: createReadStream(unknownArchive), transferKey: key, replace: true, via: "test" }), (e: ArchiveError) => {
    assert.equal(e.code, "schema");
    assert.match(e.message, /the archive holds column public\.tenants\.legacy_flag, which this deployment no longer has and does not know how to carry over/);
    assert.doesNotMatch(e.message, /migrate this deployment/);
    return true;
  });
  const still = await withClient(db.url, (c) => c.query("select count(*)::int as n from public.tenants where id = $1", [ids.otherco]));
  assert.equal(still.rows[0].n, 1);
});
