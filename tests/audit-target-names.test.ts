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
import { createTestDatabase, ownerQuery, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
/** The report, schedule, bulk run and domain the trail below names (acme's, inserted as the owner). */
let made: { report: string; schedule: string; run: string; domain: string };
const GONE = "5b0d2f0e-7d3a-4c1e-9b7e-2f4c6a8e0d11";

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  const one = async (sql: string, params: unknown[]) => (await ownerQuery<{ id: string }>(db.url, sql, params))[0].id;
  made = {
    report: await one(
      "insert into public.reports (tenant_id, kind, format, period_start, period_end) values ($1, 'executive', 'pdf', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z') returning id",
      [fx.tenants.acme],
    ),
    schedule: await one("insert into public.report_schedules (tenant_id, kind, format, cadence, next_run_at) values ($1, 'operational', 'csv', 'weekly', now() + interval '1 day') returning id", [
      fx.tenants.acme,
    ]),
    run: await one(`insert into public.bulk_runs (tenant_id, operation, params, total) values ($1, 'setting', '{"key": "security.require_mfa"}', 12) returning id`, [fx.tenants.acme]),
    domain: await one("insert into public.custom_domains (tenant_id, domain, skeleton, token) values ($1, 'soc.acme.test', 'soc.acme.test', 'abcdefghijklmnopqrstuv') returning id", [fx.tenants.acme]),
  };
  await as(fx, "acmeAdmin", async (tx) => {
    const e = (action: string, targetType: string, targetId: string, details: Record<string, unknown> = {}) =>
      recordAudit(tx, { tenantId: fx.tenants.acme, action, targetType, targetId, outcome: "success", details, requestId: `req-${action}` });
    await e("tenant.suspended", "tenant", fx.tenants["acme-eu"]);
    await e("users:manage", "user", fx.users.acmeAnalyst, { role: "tenant_viewer" });
    await e("alerts:triage", "alert", fx.alerts.acme[0]);
    await e("settings:manage", "setting", "alerts.retention_days");
    await e("keys.dek-rotated", "tenant", fx.tenants.acme, { target_version: 3 });
    await e("credential.deleted", "credential", GONE, { connector: "crowdstrike", name: "EDR east" });
    await e("reports:requested", "report", made.report);
    await e("reports:schedule-created", "report_schedule", made.schedule);
    await e("bulk:planned", "bulk_run", made.run);
    await e("domains:added", "custom_domain", made.domain);
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
    assert.deepEqual(byAction(rows, "reports:requested").target, { type: "Report", name: "Executive report, PDF, from 2026-11-01" });
    assert.deepEqual(byAction(rows, "reports:schedule-created").target, { type: "Report schedule", name: "Operational report, CSV, weekly" });
    // Bulk runs are the MSSP staff's (RLS): a customer's admin reads a short id, said to be out of sight.
    assert.equal(byAction(rows, "bulk:planned").target?.name, `${made.run.slice(0, 8)}… (not visible)`);
    assert.deepEqual(byAction(rows, "domains:added").target, { type: "Domain", name: "soc.acme.test" });
    // RLS hides globex's alert from acme's admin: a short id, said to be out of sight, not its title.
    const foreign = byAction(rows, "alerts:comment").target;
    assert.equal(foreign?.name, `${fx.alerts.globex[0].slice(0, 8)}… (not visible)`);
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
    for (const r of rows) assert.ok(!uuid.test(r.target?.name ?? ""), `${r.action}: ${r.target?.name}`);
  });

  test("the MSSP admin, who may read globex's alert, sees its title", async () => {
    const { rows } = await as(fx, "msspAdmin", (tx) => listAuditEvents(tx.db, { page: 1, tenant: "acme" }, 100));
    assert.deepEqual(byAction(rows, "alerts:comment").target, { type: "Alert", name: "globex alert 1" });
    assert.deepEqual(byAction(rows, "bulk:planned").target, { type: "Bulk run", name: "Setting security.require_mfa on 12 tenants" });
  });

  test("an API key acting (a refused request's actor) reads as the key's name, not its id", async () => {
    const keyId = "7c1e4b2a-3d5f-4e6a-8b9c-0d1e2f3a4b5c";
    await ownerQuery(
      db.url,
      `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at) values ($1, $2, 'SIEM forwarder', decode(repeat('ab', 32), 'hex'), array['alerts:read'], now() + interval '30 days')`,
      [fx.tenants.acme, keyId],
    );
    await ownerQuery(
      db.url,
      `insert into public.audit_log (tenant_id, actor_id, action, target_type, target_id, outcome) values ($1, $2::uuid, 'api.request', 'api_client', $2::text, 'denied'),
              ($1, $3::uuid, 'api.request', 'api_client', $3::text, 'denied')`,
      [fx.tenants.acme, keyId, GONE],
    );
    const { rows } = await as(fx, "acmeAdmin", (tx) => listAuditEvents(tx.db, { page: 1, tenant: undefined }, 100));
    const requests = rows.filter((r) => r.action === "api.request");
    assert.deepEqual(requests.map((r) => r.actor).sort(), [`${GONE.slice(0, 8)}… (not visible)`, "API key SIEM forwarder"]);
    assert.equal(rows.find((r) => r.action === "users:manage")?.actor, emailOf("acmeAdmin"));
  });

  test("the chains still verify: names are read, not stored", async () => {
    const report = await verifyAuditChains();
    assert.ok(report.ok, JSON.stringify(report.breaks));
  });
});
