// The tenant-scoped tables come from the catalog (lib/lifecycle/catalog.ts):
//   - every table with tenant_id (and tenants by id) is found, parents first
//     along the foreign keys; users, KEKs and graphile_worker are not;
//   - a table a later migration adds (created here) is found, exported and
//     purged without being registered anywhere;
//   - deleteTenantRows, called again and again in short transactions as the
//     purge does, empties every such table for the tenants and only for
//     them, keeps the audit trail and the tenants rows, and reports the rows
//     it deleted until it reports 0;
//   - a table the purge may not delete from fails loudly, never silently.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { after, before, test } from "node:test";
import pg from "pg";
import { recordAudit } from "@/lib/audit/record";
import { withServiceRole } from "@/lib/db/service-role";
import { exportTenant } from "@/lib/lifecycle/archive";
import { ALWAYS_KEPT, countTenantRows, deleteTenantRows, loadTenantCatalog, parentsFirst, type TenantTable } from "@/lib/lifecycle/catalog";
import { insertFixtures, subtree, type Fixtures } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  // A table "a later migration" adds: tenant-scoped, child of assets.
  await withClient(db.url, async (c) => {
    await c.query(`create table public.asset_notes (
      tenant_id uuid not null references public.tenants (id) on delete cascade,
      id integer not null,
      asset_id uuid not null,
      note text not null,
      primary key (tenant_id, id),
      foreign key (tenant_id, asset_id) references public.assets (tenant_id, id))`);
    await c.query("grant select, insert, update, delete on public.asset_notes to service_role");
    for (const slug of ["acme", "acme-eu", "globex"] as const) {
      await c.query("insert into public.asset_notes select $1, g, $2, 'note ' || g from generate_series(1, 7) g", [fx.tenants[slug], fx.assets[slug][0]]);
    }
  });
});
after(() => db.drop());

const catalog = () => withClient(db.url, (c) => loadTenantCatalog(c));
const names = (tables: TenantTable[]) => tables.map((t) => t.name);

test("the catalog finds every tenant-scoped table, parents first", async () => {
  const tables = await catalog();
  const found = names(tables);
  for (const t of ["public.tenants", "public.memberships", "public.assets", "public.alerts", "public.credentials", "public.invitations",
    "public.jobs", "public.audit_log", "audit.chain_heads", "keyring.tenant_keys", "public.asset_notes"]) {
    assert.ok(found.includes(t), `${t} is tenant-scoped`);
  }
  for (const t of ["public.users", "keyring.keks", "vault.secrets"]) assert.ok(!found.includes(t), `${t} is not tenant-scoped`);
  assert.ok(!found.some((t) => t.startsWith("graphile_worker.")), "the queue's own tables are not tenant data");
  assert.equal(found[0], "public.tenants");
  const at = (t: string) => found.indexOf(t);
  assert.ok(at("public.assets") < at("public.alerts"));
  assert.ok(at("public.assets") < at("public.asset_notes"), "the new table follows its parent");
  assert.ok(at("keyring.tenant_keys") < at("public.credentials"));
  const notes = tables.find((t) => t.name === "public.asset_notes")!;
  assert.deepEqual(notes.primaryKey, ["tenant_id", "id"]);
  assert.equal(notes.tenantColumn, "tenant_id");
  assert.equal(tables[0].tenantColumn, "id");
});

test("foreign keys that form a cycle are reported", () => {
  const t = (name: string, parent: string): TenantTable => ({
    name, ident: name, tenantColumn: "tenant_id", columns: [], primaryKey: [],
    foreignKeys: [{ columns: ["x"], references: parent, referencedColumns: ["y"] }],
  });
  assert.throws(() => parentsFirst([t("a.x", "a.y"), t("a.y", "a.x")]), /cycle between tenant-scoped tables: a.x, a.y/);
});

test("a table added later is exported without being registered", async () => {
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const result = await exportTenant({ slug: "acme", out: sink, transferKey: randomBytes(32), via: "test" });
  assert.equal(result.sections["public.asset_notes"].rows, 14, "acme's 7 and acme-eu's 7");
});

test("deleteTenantRows purges every tenant-scoped table of the tenants, in short resumable batches, and nothing else", async () => {
  const purged = subtree("acme").map((s) => fx.tenants[s]);
  const others = Object.values(fx.tenants).filter((id) => !purged.includes(id));
  await as(fx, "acmeAdmin", (tx) => recordAudit(tx, { tenantId: fx.tenants.acme, action: "test.kept", outcome: "success" }));
  // What offboarding does before the purge: the subtree is being offboarded, its keys shredded.
  await withClient(db.url, async (c) => {
    await c.query("update public.tenants set status = 'deprovisioning' where id = any ($1)", [purged]);
    for (const id of purged) await c.query("select keyring.destroy_tenant_keys($1)", [id]);
  });
  const before = await withClient(db.url, (c) => countTenantRows(c, purged));
  const othersBefore = await withClient(db.url, (c) => countTenantRows(c, others));
  assert.equal(before["public.asset_notes"], 14);
  assert.ok(before["public.alerts"] > 0 && before["public.memberships"] > 0 && before["keyring.tenant_keys"] > 0);

  const calls: number[] = [];
  for (;;) {
    // Each call in its own short transaction, as a purge job runs it.
    const n = await withServiceRole("lifecycle.workflow", (d) => deleteTenantRows(d.$client, purged, { batchSize: 5 }));
    calls.push(n);
    if (n === 0) break;
    assert.ok(calls.length < 200, "deleteTenantRows never reached 0");
  }
  assert.ok(calls.slice(0, -2).every((n) => n >= 5), `each call but the last ones fills its batch: ${calls}`);
  const after = await withClient(db.url, (c) => countTenantRows(c, purged));
  // The alert rollups (lib/analytics) are kept by triggers on public.alerts: deleting a tenant's alerts
  // empties them, so the purge's own counts do not include them (they must still end up empty, below).
  const derived = ["public.alert_daily_rollups", "public.alert_open_counts", "public.alert_subtree_rollups", "public.alert_subtree_blocks", "public.asset_counts"];
  const deleted = Object.entries(before).reduce((sum, [t, n]) => sum + (ALWAYS_KEPT.includes(t as never) || t === "public.tenants" || derived.includes(t) ? 0 : n - after[t]), 0);
  assert.equal(calls.reduce((a, b) => a + b, 0), deleted, "the counts it returned add up to the rows it deleted");
  for (const [table, n] of Object.entries(after)) {
    if (table === "public.tenants") assert.equal(n, purged.length, "the tenants rows stay, as tombstones");
    else if (ALWAYS_KEPT.includes(table as never)) assert.equal(n, before[table], `${table} is kept`);
    else assert.equal(n, 0, `${table} still holds rows of the purged tenants`);
  }
  assert.ok(after["public.audit_log"] >= 1);
  assert.deepEqual(await withClient(db.url, (c) => countTenantRows(c, others)), othersBefore, "no other tenant lost a row");
});

test("a table the purge may not delete from is an error, not a silent skip", async () => {
  await withClient(db.url, async (c) => {
    await c.query("create table public.ungranted_things (tenant_id uuid not null references public.tenants (id), n int)");
    await c.query("insert into public.ungranted_things values ($1, 1)", [fx.tenants.globex]);
  });
  try {
    await assert.rejects(
      withServiceRole("lifecycle.workflow", (d) => deleteTenantRows(d.$client, [fx.tenants.globex])),
      (e: pg.DatabaseError) => e.code === "42501" && /ungranted_things/.test(e.message),
    );
  } finally {
    await withClient(db.url, (c) => c.query("drop table public.ungranted_things"));
  }
});
