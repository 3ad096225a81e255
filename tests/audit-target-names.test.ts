// The audit list names each event's target (lib/audit/targets.ts) instead of
// showing its UUID: looked up at read time under the reader's RLS, so a name
// the reader may not see stays hidden; a deleted target falls back to the name
// its event recorded; key rotations name the version. Nothing stored changes:
// the chain still verifies (lib/audit/verify.ts).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { recordAudit } from "@/lib/audit/record";
import { listAuditEvents, type AuditRow } from "@/lib/audit/list";
import { verifyAuditChains } from "@/lib/audit/verify";
import { emailOf, insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
const GONE = "5b0d2f0e-7d3a-4c1e-9b7e-2f4c6a8e0d11";

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  await as(fx, "acmeAdmin", async (tx) => {
    const e = (action: string, targetType: string, targetId: string, details: Record<string, unknown> = {}) =>
      recordAudit(tx, { tenantId: fx.tenants.acme, action, targetType, targetId, outcome: "success", details, requestId: `req-${action}` });
    await e("tenant.suspended", "tenant", fx.tenants["acme-eu"]);
    await e("users:manage", "user", fx.users.acmeAnalyst, { role: "tenant_viewer" });
    await e("alerts:triage", "alert", fx.alerts.acme[0]);
    await e("settings:manage", "setting", "alerts.retention_days");
    await e("keys.dek-rotated", "tenant", fx.tenants.acme, { target_version: 3 });
    await e("credential.deleted", "credential", GONE, { connector: "crowdstrike", name: "EDR east" });
    // Another customer's alert named on acme's trail: acme's admin may not read it.
    await e("alerts:comment", "alert", fx.alerts.globex[0]);
  });
});
after(async () => {
  await db.drop();
});

const byAction = (rows: AuditRow[], action: string) => {
  const row = rows.find((r) => r.action === action);
  assert.ok(row, `a ${action} row`);
  return row;
};

describe("audit targets by name", () => {
  test("a tenant admin reads names, versions and recorded names, never a bare UUID", async () => {
    const { rows } = await as(fx, "acmeAdmin", (tx) => listAuditEvents(tx.db, { page: 1, tenant: undefined }, 100));
    assert.deepEqual(byAction(rows, "tenant.suspended").target, { type: "Tenant", name: "Tenant acme-eu" });
    assert.deepEqual(byAction(rows, "users:manage").target, { type: "User", name: emailOf("acmeAnalyst") });
    assert.deepEqual(byAction(rows, "alerts:triage").target, { type: "Alert", name: "acme alert 1" });
    assert.deepEqual(byAction(rows, "settings:manage").target, { type: "Setting", name: "alerts.retention_days" });
    assert.deepEqual(byAction(rows, "keys.dek-rotated").target, { type: "Tenant", name: "Tenant acme · key v3" });
    assert.deepEqual(byAction(rows, "credential.deleted").target, { type: "Credential", name: "EDR east" });
    // RLS hides globex's alert from acme's admin: a short id, said to be out of sight, not its title.
    const foreign = byAction(rows, "alerts:comment").target;
    assert.equal(foreign?.name, `${fx.alerts.globex[0].slice(0, 8)}… (not visible)`);
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
    for (const r of rows) assert.ok(!uuid.test(r.target?.name ?? ""), `${r.action}: ${r.target?.name}`);
  });

  test("the MSSP admin, who may read globex's alert, sees its title", async () => {
    const { rows } = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 1, tenant: "acme" }, 100));
    assert.deepEqual(byAction(rows, "alerts:comment").target, { type: "Alert", name: "globex alert 1" });
  });

  test("the chains still verify: names are read, not stored", async () => {
    const report = await verifyAuditChains();
    assert.ok(report.ok, JSON.stringify(report.breaks));
  });
});
