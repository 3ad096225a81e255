// Export and restore of one tenant (lib/lifecycle/archive), on real Postgres:
//   - export → restore into a fresh database → export again: every
//     tenant-scoped table's checksum equal; credentials open there with the
//     restored keys (one under a retiring version), the second factor opens
//     under that deployment's NEXTAUTH_SECRET, the audit chain verifies;
//   - restore beside live tenants replaces one customer and leaves every
//     other tenant's checksums unchanged; without replace it is refused;
//   - a flipped byte, a truncated file, a wrong key, an unknown format
//     version, a slug held by another tenant: refused with the reason, and
//     nothing changed; a good restore then still works;
//   - with Postgres logging every statement and its parameters, no DEK, no
//     transfer key and no TOTP secret appears in the log.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { openTotpSecret, sealTotpSecret } from "@/lib/auth/mfa-crypto";
import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChains } from "@/lib/audit/verify";
import { migrate } from "@/lib/db/migrate";
import { closePool } from "@/lib/db/pool";
import { loadTenantCatalog } from "@/lib/lifecycle/catalog";
import { ArchiveError, exportTenant, restoreTenant, type ExportResult } from "@/lib/lifecycle/archive";
import { CANONICAL_SESSION_SQL } from "@/lib/lifecycle/archive/format";
import { catalogSections, digestSection } from "@/lib/lifecycle/archive/sections";
import { activeKeyFor, clearKeyCache, dekFor } from "@/lib/vault/keys";
import { openSecret, sealSecret } from "@/lib/vault/seal";
import { openStoredRawEvent, sealRawEvent } from "@/lib/ingest/raw";
import { findBinaries, startServer } from "@/scripts/lib/pg-binaries";
import { insertFixtures, subtree, type Fixtures } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { assertSubtreeRollupsExact } from "./helpers/subtree-rollups";
import { createTestDatabase, withClient, withDatabase, type TestDatabase } from "./helpers/test-database";

const SECRET_A = "archive-test-auth-secret-A";
const SECRET_B = "archive-test-auth-secret-B";
const TOTP = randomBytes(20);
const RAW_EVENT = JSON.stringify({ vendor: "edr", event: { id: "edr-evt-1", cmdline: "whoami /all" } });
let dir: string;
let keyFile: Buffer;

async function useDatabase(url: string, authSecret: string) {
  await closePool();
  clearKeyCache();
  process.env.DATABASE_URL = url;
  process.env.NEXTAUTH_SECRET = authSecret;
}

/** acme's subtree gets credentials (one under a retiring key version), audit rows and an MFA-enrolled admin. */
async function seedAcme(ownerUrl: string, fx: Fixtures): Promise<Map<string, string>> {
  const secrets = new Map<string, string>();
  const seal = async (c: pg.Client, tenantId: string, name: string) => {
    const key = await activeKeyFor(tenantId);
    const id = randomUUID();
    const secret = `s3cret-${randomBytes(12).toString("hex")}`;
    secrets.set(id, secret);
    await c.query(
      `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint, created_by)
       values ($1, $2, 'generic_api_key', $3, $4, $5, 'abcd', $6)`,
      [tenantId, id, name, sealSecret(key.dek, { tenantId, credentialId: id, keyVersion: key.version }, secret), key.version, fx.users.acmeAdmin],
    );
  };
  await withClient(ownerUrl, async (c) => {
    await seal(c, fx.tenants.acme, "first");
    await c.query("select keyring.create_tenant_key($1)", [fx.tenants.acme]); // v1 now retiring, still sealing "first"
    clearKeyCache();
    await seal(c, fx.tenants.acme, "second");
    await seal(c, fx.tenants["acme-eu"], "site key");
    await c.query("insert into public.user_mfa (user_id, totp_secret, confirmed_at) values ($1, $2, now())", [
      fx.users.acmeAdmin,
      sealTotpSecret(fx.users.acmeAdmin, TOTP),
    ]);
    await c.query("insert into public.user_recovery_codes (user_id, code_hash) values ($1, repeat('a', 64))", [fx.users.acmeAdmin]);
    await seedNewerTables(c, fx);
  });
  for (const n of [1, 2, 3]) {
    await as(fx, "acmeAdmin", (tx) => recordAudit(tx, { tenantId: fx.tenants.acme, action: `test.event-${n}`, outcome: "success", details: { n } }));
  }
  return secrets;
}

/**
 * A row in each table today's migrations added (settings, triage, workflows),
 * so the round trips below cover them: an alert moved through the triage
 * workflow with its timeline, a rule's runs and deliveries. Rules themselves
 * are in the last test.
 */
async function seedNewerTables(c: pg.Client, fx: Fixtures) {
  const acme = fx.tenants.acme;
  const alert = fx.alerts.acme[0];
  await c.query("insert into public.tenant_settings (tenant_id, key, value, locked) values ($1, 'session.mfa_required', 'true', true), ($1, 'sla.critical.ack_minutes', '30', false)", [acme]);
  await c.query("update public.alerts set status = 'acknowledged', assigned_to = $2 where id = $1", [alert, fx.users.acmeAdmin]);
  await c.query("insert into public.alert_events (tenant_id, alert_id, kind, actor_id, body) values ($1, $2, 'comment', $3, 'looking')", [acme, alert, fx.users.acmeAdmin]);
  await c.query("insert into public.alert_saved_filters (tenant_id, user_id, name, query) values ($1, $2, 'mine', '?status=acknowledged')", [acme, fx.users.acmeAdmin]);
  const channel = randomUUID();
  await c.query("insert into public.notification_channels (tenant_id, id, name, kind, recipients) values ($1, $2, 'ops mail', 'email', '{ops@example.com}')", [acme, channel]);
  // A rule that has since been deleted (runs and deliveries keep its id; see the rule test at the end).
  const rule = { id: randomUUID() };
  await c.query(
    "insert into public.workflow_rule_runs (tenant_id, alert_id, rule_tenant_id, rule_id, rule_version, stage, outcome) values ($1, $2, $1, $3, 2, 'match', 'applied')",
    [acme, alert, rule.id],
  );
  const { rows: [delivery] } = await c.query(
    "insert into public.notification_deliveries (tenant_id, channel_id, kind, reason, alert_tenant_id, alert_id, rule_id, status, attempts, payload, delivered_at) values ($1, $2, 'email', 'rule', $1, $3, $4, 'delivered', 1, '{}', now()) returning id",
    [acme, channel, alert, rule.id],
  );
  await c.query("insert into public.notification_attempts (tenant_id, delivery_id, attempt, outcome) values ($1, $2, 1, 'delivered')", [acme, delivery.id]);
  // API ingestion (issue 11): the sender's ids, an alert's raw event sealed under acme's key, a collector.
  await c.query("update public.alerts set external_id = 'edr-evt-1' where id = $1", [alert]);
  await c.query("update public.assets set external_id = 'cmdb-1' where id = $1", [fx.assets.acme[0]]);
  const key = await activeKeyFor(acme);
  await c.query("insert into public.alert_raw_events (tenant_id, alert_id, sealed, key_version) values ($1, $2, $3, $4)", [
    acme,
    alert,
    sealRawEvent(key.dek, { tenantId: acme, alertId: alert, keyVersion: key.version }, RAW_EVENT),
    key.version,
  ]);
  await c.query("insert into public.collectors (tenant_id, name, version, last_error, last_error_at) values ($1, 'edr-puller', '1.0.0', 'vendor 503', now())", [acme]);
  // Assignee groups (lib/groups): acme's own, with a member, given to an alert (a timeline entry); and an
  // alert of acme given the MSSP's group, which is outside acme's archive (a restore elsewhere clears it).
  const { rows: [group] } = await c.query("insert into public.assignee_groups (tenant_id, name) values ($1, 'Acme on-call') returning id", [acme]);
  await c.query("insert into public.assignee_group_members (tenant_id, group_id, user_id) values ($1, $2, $3)", [acme, group.id, fx.users.acmeAnalyst]);
  await c.query("update public.alerts set assigned_group_tenant_id = $2, assigned_group_id = $3 where id = $1", [alert, acme, group.id]);
  const { rows: [mssp] } = await c.query("insert into public.assignee_groups (tenant_id, name) values ($1, 'Tier 1 SOC') returning id", [fx.tenants["mssp-a"]]);
  await c.query("update public.alerts set assigned_group_tenant_id = $2, assigned_group_id = $3 where id = $1", [fx.alerts.acme[1], fx.tenants["mssp-a"], mssp.id]);
  // An API key (issue 11), used and then revoked: its hash, scopes, people and last use travel.
  await c.query(
    `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at, created_by, revoked_at, revoked_by, last_used_at, last_used_ip)
     values ($1, $2, 'siem forwarder', sha256('archived-key-secret'::bytea), '{alerts:write,alerts:read}', now() + interval '90 days', $3, now(), $3, now() - interval '1 hour', '203.0.113.7')`,
    [acme, randomUUID(), fx.users.acmeAdmin],
  );
  // Usage metering (issue 12): events (the identity id and the idempotency key travel, so a retried
  // event after a restore still counts once), the minute counter not yet moved, and the rollups.
  await c.query(
    `insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source)
     values ($1, 'alerts_ingested', 12, now() - interval '2 days', 'alerts:archived', 'api.ingest'),
            ($2, 'storage_bytes', 40960, now() - interval '1 day', 'snapshot:storage_bytes:archived', 'usage.snapshot')`,
    [acme, fx.tenants["acme-eu"]],
  );
  await c.query("insert into usage.api_request_counts (tenant_id, minute, requests) values ($1, date_trunc('minute', now()), 3)", [acme]);
  await c.query(
    `insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events)
     values ($1, 'day', date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' - interval '2 days', 'alerts_ingested', 12, 1)`,
    [acme],
  );
  // Billing (issue 12 point 2): acme's assignment of an MSSP plan, a finalized invoice with its
  // lines and number, and a draft credit note referencing it (the plan itself stays with the MSSP).
  const { rows: [plan] } = await c.query("insert into public.billing_plans (tenant_id, name, currency, base_fee) values ($1, 'Archive plan', 'EUR', 12345) returning id", [fx.tenants["mssp-a"]]);
  await c.query("insert into public.billing_plan_assignments (tenant_id, plan_tenant_id, plan_id, starts_on) values ($1, $2, $3, '2026-01-01')", [acme, fx.tenants["mssp-a"], plan.id]);
  const { rows: [inv] } = await c.query(
    `insert into public.billing_invoices (tenant_id, mssp_id, period_start, period_end, currency, plan_id, plan_name, subtotal, total)
     values ($1, $2, '2026-01-01', '2026-02-01', 'EUR', $3, 'Archive plan', 12345, 12345) returning id`,
    [acme, fx.tenants["mssp-a"], plan.id],
  );
  await c.query("insert into public.billing_invoice_lines (tenant_id, invoice_id, line_no, kind, description, billable, unit_price, amount) values ($1, $2, 1, 'base_fee', 'Archive plan: monthly base fee', 1, 12345, 12345)", [acme, inv.id]);
  await c.query("update public.billing_invoices set status = 'finalized' where tenant_id = $1 and id = $2", [acme, inv.id]);
  await c.query(
    `insert into public.billing_invoices (tenant_id, mssp_id, kind, period_start, period_end, currency, plan_name, subtotal, total, credits_invoice_id, reason)
     values ($1, $2, 'credit_note', '2026-01-01', '2026-02-01', 'EUR', 'Archive plan', -100, -100, $3, 'goodwill')`,
    [acme, fx.tenants["mssp-a"], inv.id],
  );
  // Health monitoring (issue 12 point 3): the current state with its signals, and its history.
  await c.query(
    `insert into public.tenant_health (tenant_id, state, signals, since, evaluated_at)
     values ($1, 'degraded', '[{"kind":"collectors","level":"warn","reason":"Collector ''edr-puller'' silent for 15 min"}]', now() - interval '15 minutes', now())`,
    [acme],
  );
  await c.query(
    `insert into public.tenant_health_transitions (tenant_id, from_state, to_state, reasons, occurred_at, notified)
     values ($1, null, 'healthy', '[]', now() - interval '1 day', 0),
            ($1, 'healthy', 'degraded', '[{"kind":"collectors","level":"warn","reason":"Collector ''edr-puller'' silent for 15 min"}]', now() - interval '15 minutes', 2)`,
    [acme],
  );
  // Bulk operations (issue 13 point 5): a finished run held by acme (runs are held by the tenant they were
  // started on) with one item naming a site (a fact, not a reference: it travels as it is).
  const { rows: [bulk] } = await c.query(
    `insert into public.bulk_runs (tenant_id, operation, params, selection, status, total, canary, canary_passed, note, created_by, started_by, started_at, finished_at)
     values ($1, 'setting', '{"operation":"setting","key":"locale.time_zone","mode":"set","value":"UTC"}', '{"words":"Sites under Acme"}', 'finished', 1, 1, true, '1 done', $2, $2, now(), now()) returning id`,
    [acme, fx.users.acmeAdmin],
  );
  await c.query(
    `insert into public.bulk_run_items (tenant_id, run_id, target_tenant_id, position, target_name, status, planned, before, after, message, finished_at)
     values ($1, $2, $3, 0, 'Acme EU', 'done', 'UTC (default) → UTC (set here)', '{"own":null}', '{"own":"UTC"}', 'Time zone is now UTC.', now())`,
    [acme, bulk.id, fx.tenants["acme-eu"]],
  );
  // Customer reports (issue 13 point 4): a schedule and a ready report made by it (its bytes travel).
  const { rows: [sched] } = await c.query(
    "insert into public.report_schedules (tenant_id, kind, format, cadence, recipients, next_run_at, created_by) values ($1, 'executive', 'pdf', 'monthly', '{soc@acme.test}', now() + interval '20 days', $2) returning id",
    [acme, fx.users.acmeAdmin],
  );
  await c.query(
    `insert into public.reports (tenant_id, kind, format, period_start, period_end, status, progress, content, size_bytes, schedule_id, created_by, finished_at)
     values ($1, 'executive', 'csv', '2026-10-01', '2026-11-01', 'ready', 100, convert_to('"section"\r\n', 'UTF8'), 11, $2, $3, now())`,
    [acme, sched.id, fx.users.acmeAdmin],
  );
  // Branding (issue 14): an uploaded logo and a draft brand (their bytes and JSON travel).
  await c.query(
    `insert into public.brand_assets (tenant_id, sha256, content_type, bytes, width, height, created_by)
     select $1, encode(extensions.digest(b, 'sha256'), 'hex'), 'image/svg+xml', b, 32, 32, $2
       from (select convert_to('<svg xmlns="http://www.w3.org/2000/svg"><rect width="32" height="32"/></svg>', 'UTF8') as b) x`,
    [acme, fx.users.acmeAdmin],
  );
  await c.query(`insert into public.brand_drafts (tenant_id, draft, updated_by) values ($1, '{"productName":"Acme SOC"}', $2)`, [acme, fx.users.acmeAdmin]);
  // Custom domains (issue 14 point 3): one verified, one in its grace period.
  await c.query(
    `insert into public.custom_domains (tenant_id, domain, skeleton, token, status, verified_at, last_checked_at, last_check, missing_since)
     values ($1, 'soc.acme-archive.test', 'soc.acme-archive.test', 'archive-token-0123456789abcdef', 'verified', now() - interval '2 days', now(), 'ok', null),
            ($1, 'old.acme-archive.test', 'old.acme-archive.test', 'archive-token-abcdef0123456789', 'grace', now() - interval '9 days', now(), 'missing', now() - interval '1 hour')`,
    [acme],
  );
}

/** Checksums of every tenant-scoped table for the given tenants, read as the owner. */
async function digests(ownerUrl: string, ids: string[], rootId = "00000000-0000-0000-0000-000000000000") {
  return withClient(ownerUrl, async (c) => {
    await c.query("begin");
    await c.query(CANONICAL_SESSION_SQL);
    const out: Record<string, string> = {};
    for (const s of catalogSections(await loadTenantCatalog(c))) out[s.name] = (await digestSection(c, s, ids, rootId)).sha256;
    const users = await c.query("select md5(string_agg(to_jsonb(u)::text, ',' order by id)) as h from public.users u");
    out["public.users"] = users.rows[0].h;
    await c.query("rollback");
    return out;
  });
}

async function exportTo(file: string, slug = "acme", key = keyFile): Promise<ExportResult> {
  return exportTenant({ slug, out: createWriteStream(file), transferKey: key, via: "test" });
}

const catalogOnly = (r: ExportResult) => Object.fromEntries(Object.entries(r.sections).filter(([name]) => !name.startsWith("public.user") && name !== "user-refs"));

let source: TestDatabase;
let fx: Fixtures;
let secrets: Map<string, string>;
let archive: string;
let exported: ExportResult;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "archive-test-"));
  keyFile = randomBytes(32);
  source = await createTestDatabase();
  process.env.NEXTAUTH_SECRET = SECRET_A;
  fx = await insertFixtures(source.url);
  secrets = await seedAcme(source.url, fx);
  archive = path.join(dir, "acme.archive");
  exported = await exportTo(archive);
});

after(async () => {
  await source.drop();
  await rm(dir, { recursive: true, force: true });
});

test("the export names the subtree and counts every tenant-scoped table, secrets sealed", async () => {
  assert.deepEqual(exported.tenants.map((t) => t.slug).sort(), subtree("acme").sort());
  assert.equal(exported.sections["public.credentials"].rows, 3);
  assert.equal(exported.sections["keyring.tenant_keys"].rows, 4, "acme v1 retiring + v2 active, one key per site");
  assert.equal(exported.sections["public.audit_log"].rows, 3);
  // twoCustomers is also a member of globex: its account is not acme's to carry (id and email only).
  assert.equal(exported.sections["public.users"].rows, 5, "the members of acme and its sites who belong nowhere else");
  assert.equal(exported.sections["user-refs"].rows, 1, "twoCustomers, by id and email only");
  assert.equal(exported.totpWrapped, 1);
  for (const [table, n] of Object.entries({
    "public.tenant_settings": 2, "public.alert_events": 5, "public.alert_saved_filters": 1, "public.notification_channels": 1,
    "public.workflow_rule_runs": 1, "public.assignee_groups": 1, "public.assignee_group_members": 1, "public.api_keys": 1,
    "public.notification_deliveries": 1, "public.notification_attempts": 1,
  })) {
    assert.equal(exported.sections[table]?.rows, n, table);
  }
  const bytes = await readFile(archive);
  for (const secret of [...secrets.values(), "$argon2id$", "test.event-1", TOTP.toString("hex")]) {
    assert.ok(!bytes.includes(secret), `the archive file shows ${secret} in the clear`);
  }
});

describe("round trip into a fresh database", () => {
  let target: TestDatabase;
  before(async () => {
    target = await createTestDatabase({ setEnv: false });
    await withClient(target.url, (c) => c.query("insert into public.tenants (slug, name, kind) values ('mssp-x', 'Other MSSP', 'mssp')"));
    // twoCustomers (a member of acme and of globex) went out by id and email only: the restore finds
    // them here, as a deployment that holds the account does, and gives back their acme membership.
    const [two] = await withClient(source.url, async (c) => (await c.query("select id, email, name from public.users where id = $1", [fx.users.twoCustomers])).rows);
    await withClient(target.url, (c) => c.query("insert into public.users (id, email, name) values ($1, $2, $3)", [two.id, two.email, two.name]));
  });
  after(async () => {
    await useDatabase(source.appUrl, SECRET_A);
    await target.drop();
  });

  test("every table's checksum is equal after export → restore → export, and the secrets open there", async () => {
    await useDatabase(target.appUrl, SECRET_B);
    const restored = await restoreTenant({ in: createReadStream(archive), transferKey: keyFile, parentSlug: "mssp-x", via: "test" });
    assert.equal(restored.sameDeployment, false);
    assert.deepEqual(restored.created.sort(), subtree("acme").sort());
    // The one alert given the MSSP's "Tier 1 SOC" (not in acme's archive, nor in this deployment) comes back without a group.
    const { "public.alerts": alertsVerified, "public.billing_plan_assignments": assignmentsVerified, ...rest } = restored.verified;
    assert.equal(alertsVerified, "1 alert(s) restored without their group (a group of a tenant outside the archive)");
    // Acme's plan assignment names the MSSP's plan, which is not in this deployment: left out (its invoices, numbers and lines come back).
    assert.equal(assignmentsVerified, "1 plan assignment(s) left out (their MSSP's plan is not in this database)");
    assert.ok(Object.values(rest).every((v) => v === "equal"), JSON.stringify(restored.verified));
    // The archive's subtree rollup rows, and the new parent's sums with them.
    await withClient(target.url, (c) => assertSubtreeRollupsExact(c, "after a restore into another deployment"));
    const groups = await withClient(target.url, (c) =>
      c.query("select a.id, g.name from public.alerts a left join public.assignee_groups g on g.tenant_id = a.assigned_group_tenant_id and g.id = a.assigned_group_id where a.id = any ($1) order by a.id", [fx.alerts.acme]),
    );
    assert.deepEqual(Object.fromEntries(groups.rows.map((r) => [r.id, r.name])), { [fx.alerts.acme[0]]: "Acme on-call", [fx.alerts.acme[1]]: null });
    assert.equal(restored.users.created, 5, "twoCustomers was found here, not created from the archive");
    const membership = await withClient(target.url, (c) => c.query("select role from public.memberships where user_id = $1 and tenant_id = $2", [fx.users.twoCustomers, fx.tenants.acme]));
    assert.deepEqual(membership.rows, [{ role: "tenant_viewer" }]);
    assert.equal(restored.users.totpResealed, 1, "sealed again under this deployment's NEXTAUTH_SECRET");

    const report = await verifyAuditChains({ tenantSlug: "acme" });
    assert.ok(report.ok, JSON.stringify(report.breaks));
    assert.equal(report.rows, 3, "the chain came back verbatim");
    const again = await exportTo(path.join(dir, "again.archive"));
    const { "public.alerts": alertsAgain, "public.billing_plan_assignments": assignmentsAgain, ...againRest } = catalogOnly(again);
    const { "public.alerts": alertsBefore, "public.billing_plan_assignments": assignmentsBefore, ...exportedRest } = catalogOnly(exported);
    assert.deepEqual(againRest, exportedRest);
    assert.equal(alertsAgain.rows, alertsBefore.rows);
    assert.deepEqual([assignmentsBefore.rows, assignmentsAgain.rows], [1, 0], "the assignment of a plan not in this deployment was left out");

    const rows = await withClient(target.url, (c) => c.query("select tenant_id, id, sealed, key_version from public.credentials"));
    assert.equal(rows.rowCount, 3);
    for (const r of rows.rows) {
      const dek = await dekFor(r.tenant_id, r.key_version);
      assert.equal(openSecret(dek, { tenantId: r.tenant_id, credentialId: r.id, keyVersion: r.key_version }, r.sealed), secrets.get(r.id));
    }
    const raw = await withClient(target.url, (c) => c.query("select tenant_id, alert_id, sealed, key_version from public.alert_raw_events"));
    assert.equal(raw.rowCount, 1);
    const [r0] = raw.rows;
    assert.equal(await openStoredRawEvent({ tenantId: r0.tenant_id, alertId: r0.alert_id, keyVersion: r0.key_version }, r0.sealed), RAW_EVENT, "the raw event opens there");
    const mfa = await withClient(target.url, (c) => c.query("select totp_secret from public.user_mfa where user_id = $1", [fx.users.acmeAdmin]));
    assert.ok(openTotpSecret(fx.users.acmeAdmin, mfa.rows[0].totp_secret).equals(TOTP));
    const kek = await withClient(target.url, (c) =>
      c.query("select distinct kek_root_id from keyring.tenant_keys where tenant_id = any ($1) and wrapped_dek is not null", [Object.values(fx.tenants)]),
    );
    const msspX = await withClient(target.url, (c) => c.query("select id from public.tenants where slug = 'mssp-x'"));
    assert.deepEqual(kek.rows.map((r) => r.kek_root_id), [msspX.rows[0].id], "wrapped under the new MSSP's KEK");
  });
});

describe("restore beside live tenants", () => {
  const others = () => Object.entries(fx.tenants).filter(([slug]) => !subtree("acme").includes(slug as never)).map(([, id]) => id);

  test("without replace, an existing tenant is refused and nothing changes", async () => {
    const before = await digests(source.url, Object.values(fx.tenants));
    await assert.rejects(restoreTenant({ in: createReadStream(archive), transferKey: keyFile }), (e: ArchiveError) => {
      assert.equal(e.code, "exists");
      assert.match(e.message, /acme.*already exist here.*replace/);
      return true;
    });
    assert.deepEqual(await digests(source.url, Object.values(fx.tenants)), before);
  });

  test("with replace, acme gets the archive's rows back and no other tenant changes", async () => {
    const msspA = fx.tenants["mssp-a"];
    const quiet = others().filter((id) => id !== msspA);
    const quietBefore = await digests(source.url, quiet);
    const parentBefore = await digests(source.url, [msspA]);
    await withClient(source.url, async (c) => {
      await c.query("insert into public.alerts (tenant_id, title, severity, source) values ($1, 'after the export', 'low', 'edr')", [fx.tenants.acme]);
      await c.query("delete from public.alerts where tenant_id = $1", [fx.tenants["acme-eu"]]);
      await c.query("update public.tenants set name = 'Renamed' where id = $1", [fx.tenants.acme]);
    });
    const restored = await restoreTenant({ in: createReadStream(archive), transferKey: keyFile, replace: true, via: "test" });
    assert.equal(restored.sameDeployment, true);
    assert.deepEqual(restored.replaced.sort(), subtree("acme").sort());
    assert.deepEqual(restored.audit.keptChains, ["acme"], "acme's live chain is kept; its sites had none");
    assert.equal(restored.verified["public.alerts"], "equal");
    await withClient(source.url, (c) => assertSubtreeRollupsExact(c, "after a restore with replace"));

    const after = await exportTo(path.join(dir, "after.archive"));
    for (const name of Object.keys(catalogOnly(exported))) {
      if (name === "public.audit_log" || name === "audit.chain_heads") continue;
      assert.deepEqual(after.sections[name], exported.sections[name], name);
    }
    const audit = await withClient(source.url, (c) =>
      c.query("select action, details from public.audit_log where tenant_id = $1 order by seq", [fx.tenants.acme]),
    );
    const restoredRow = audit.rows.find((r) => r.action === "tenant.restored");
    assert.equal(restoredRow?.details.archiveChainInLiveChain, true);
    // No other tenant changed at all, but for one tenant.restored row in the parent's (mssp-a's) trail.
    assert.deepEqual(await digests(source.url, quiet), quietBefore);
    const blankAudit = (d: Record<string, string>) => ({ ...d, "public.audit_log": "", "audit.chain_heads": "" });
    assert.deepEqual(blankAudit(await digests(source.url, [msspA])), blankAudit(parentBefore));
    const msspRows = await withClient(source.url, (c) => c.query("select action from public.audit_log where tenant_id = $1", [msspA]));
    assert.deepEqual(msspRows.rows.map((r) => r.action), ["tenant.restored"]);
  });
});

test("a job the archive caught unfinished comes back cancelled, never resumed", async () => {
  const { rows: [job] } = await withClient(source.url, (c) =>
    c.query("insert into public.jobs (tenant_id, kind, status, payload) values ($1, 'tenant.offboard', 'running', '{}') returning id", [fx.tenants.globex]),
  );
  const file = path.join(dir, "globex.archive");
  await exportTo(file, "globex");
  const restored = await restoreTenant({ in: createReadStream(file), transferKey: keyFile, replace: true });
  assert.equal(restored.verified["public.jobs"], "1 unfinished job(s) restored as cancelled");
  const { rows } = await withClient(source.url, (c) => c.query("select status, last_error from public.jobs where id = $1", [job.id]));
  assert.equal(rows[0].status, "cancelled");
  assert.match(rows[0].last_error, /Not resumed: restored from an archive/);
});

describe("a damaged, foreign or unknown archive is refused and changes nothing", () => {
  const cases: [string, (file: string) => Promise<void>, RegExp, string][] = [
    ["a flipped byte", async (f) => {
      const b = await readFile(f);
      b[Math.floor(b.length / 2)] ^= 0x40;
      await writeFile(f, b);
    }, /altered or damaged: chunk \d+ failed its integrity check|damaged at chunk \d+/, "tampered"],
    ["a truncated file", async (f) => truncate(f, (await stat(f)).size - 20), /truncated|cut short/, "truncated"],
    ["a file cut at half", async (f) => truncate(f, Math.floor((await stat(f)).size / 2)), /truncated|cut short/, "truncated"],
    ["an unknown format version", async (f) => {
      const text = (await readFile(f)).toString("latin1").replace('{"format":1,', '{"format":2,');
      await writeFile(f, Buffer.from(text, "latin1"));
    }, /unknown archive format version 2/, "unknown-format"],
  ];
  for (const [what, damage, reason, code] of cases) {
    test(what, async () => {
      const file = path.join(dir, `damaged-${code}-${randomBytes(3).toString("hex")}`);
      await writeFile(file, await readFile(archive));
      await damage(file);
      const before = await digests(source.url, Object.values(fx.tenants));
      await assert.rejects(restoreTenant({ in: createReadStream(file), transferKey: keyFile, replace: true }), (e: ArchiveError) => {
        assert.ok(e instanceof ArchiveError, String(e));
        assert.equal(e.code, code);
        assert.match(e.message, reason);
        return true;
      });
      assert.deepEqual(await digests(source.url, Object.values(fx.tenants)), before);
    });
  }

  test("a wrong transfer key", async () => {
    const before = await digests(source.url, Object.values(fx.tenants));
    await assert.rejects(restoreTenant({ in: createReadStream(archive), transferKey: randomBytes(32), replace: true }), /wrong transfer key/);
    assert.deepEqual(await digests(source.url, Object.values(fx.tenants)), before);
  });

  test("a slug that another tenant holds here, even with replace", async () => {
    const other = path.join(dir, "other-co.archive");
    await exportTo(other, "other-co");
    await withClient(source.url, (c) => c.query("update public.tenants set slug = 'other-co-old' where slug = 'other-co'"));
    await withClient(source.url, (c) =>
      c.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'other-co', 'Impostor', 'customer')", [fx.tenants["mssp-b"]]),
    );
    await assert.rejects(restoreTenant({ in: createReadStream(other), transferKey: keyFile, replace: true }), (e: ArchiveError) => {
      assert.equal(e.code, "conflict");
      assert.match(e.message, /the slug "other-co" belongs to another tenant here/);
      return true;
    });
  });

  test("a restore killed half-way (SIGKILL) leaves nothing half-restored, and the next one completes", async () => {
    const bulk = await withClient(source.url, async (c) => {
      const { rows } = await c.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'bulk-co', 'Bulk', 'customer') returning id", [fx.tenants["mssp-b"]]);
      await c.query("insert into public.alerts (tenant_id, title, severity, source) select $1, 'bulk ' || g, 'low', 'edr' from generate_series(1, 60000) g", [rows[0].id]);
      return rows[0].id as string;
    });
    const file = path.join(dir, "bulk.archive");
    await exportTo(file, "bulk-co");
    await withClient(source.url, (c) => c.query("delete from public.alerts where tenant_id = $1 and title like 'bulk 1%'", [bulk]));
    const before = await digests(source.url, Object.values(fx.tenants).concat(bulk));
    const keyPath = path.join(dir, "transfer.key");
    await writeFile(keyPath, keyFile.toString("base64"));
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/tenants-archive.ts", "restore", "--in", file, "--transfer-key-file", keyPath, "--replace"], {
      env: { ...process.env, DATABASE_URL: source.url },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    let stderr = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on("data", (d) => {
        stderr += d;
        if (/public\.alerts: [\d,]+ rows/.test(stderr)) resolve();
      });
      child.once("exit", () => reject(new Error(`the restore ended before it was killed: ${stderr}`)));
    });
    child.kill("SIGKILL");
    await exited;
    // The server rolls the dead session's transaction back once it notices the closed socket.
    for (let i = 0; i < 100; i++) {
      const { rows } = await withClient(source.url, (c) => c.query("select count(*)::int as n from pg_stat_activity where application_name = 'service:lifecycle.archive'"));
      if (rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(await digests(source.url, Object.values(fx.tenants).concat(bulk)), before, "nothing of the killed restore remains");
    const restored = await restoreTenant({ in: createReadStream(file), transferKey: keyFile, replace: true });
    assert.equal(restored.written["public.alerts"], 60000);
  });

  test("after all those refusals, the archive still restores", async () => {
    const restored = await restoreTenant({ in: createReadStream(archive), transferKey: keyFile, replace: true });
    assert.equal(restored.written["public.credentials"], 3);
  });
});

test("no DEK, transfer key or TOTP secret reaches a statement log that records every parameter", async (t) => {
  const found = [16, 15].map((m) => findBinaries(m)).find((f) => !("missing" in f));
  if (!found || "missing" in found) return t.skip("no Postgres 15/16 server binaries to start a logging server with");
  const logFile = path.join(dir, "statements.log");
  await writeFile(logFile, "");
  const server = await startServer(found.bin, {
    flags: ["-c", "log_statement=all", "-c", "log_parameter_max_length=-1", "-c", "log_min_error_statement=error"],
    logFile,
  });
  try {
    const src = withDatabase(server.adminUrl, "src");
    const dst = withDatabase(server.adminUrl, "dst");
    await withClient(server.adminUrl, async (c) => {
      await c.query("create database src");
      await c.query("create database dst");
    });
    await migrate(src);
    await migrate(dst);
    await withClient(dst, (c) => c.query("insert into public.tenants (slug, name, kind) values ('mssp-x', 'Other MSSP', 'mssp')"));
    await useDatabase(src, SECRET_A);
    const lfx = await insertFixtures(src);
    await seedAcme(src, lfx);
    const deks = await withClient(src, (c) =>
      c.query<{ dek: Buffer }>(
        "select keyring.unwrap_dek(k.tenant_id, k.version) as dek from keyring.tenant_keys k where k.tenant_id = any ($1) and k.wrapped_dek is not null",
        [subtree("acme").map((s) => lfx.tenants[s])],
      ),
    );
    assert.equal(deks.rowCount, 4);
    const file = path.join(dir, "logged.archive");
    await exportTo(file);
    await useDatabase(dst, SECRET_B);
    await restoreTenant({ in: createReadStream(file), transferKey: keyFile, parentSlug: "mssp-x" });
    await closePool();

    const log = await readFile(logFile, "utf8");
    assert.match(log, /keyring\.import_tenant_key[\s\S]*?parameters: \$1 = '/, "control: the restore's key import and its parameters are logged");
    assert.match(log, /\$argon2id\$v=19/, "control: row data sent as parameters is logged");
    const forms = (b: Buffer) => [b.toString("hex"), b.toString("base64").replace(/=+$/, ""), b.toString("base64url")];
    for (const { dek } of deks.rows) for (const form of forms(dek)) assert.ok(!log.includes(form), "a DEK is in the statement log");
    for (const form of forms(keyFile)) assert.ok(!log.includes(form), "the transfer key is in the statement log");
    for (const form of forms(TOTP)) assert.ok(!log.includes(form), "a TOTP secret is in the statement log");
  } finally {
    await useDatabase(source.appUrl, SECRET_A);
    await server.stop();
  }
});

test(
  "a tenant with a workflow rule round-trips: the rule keeps its version and its history comes back once",
  async () => {
    await useDatabase(source.appUrl, SECRET_A);
    const globex = fx.tenants.globex;
    await withClient(source.url, async (c) => {
      const { rows: [rule] } = await c.query("insert into public.workflow_rules (tenant_id, name, definition) values ($1, 'escalate', '{\"when\": {}}') returning id", [globex]);
      await c.query("update public.workflow_rules set definition = '{\"when\": {\"severity\": \"high\"}}' where id = $1", [rule.id]);
    });
    const file = path.join(dir, "globex.archive");
    const first = await exportTo(file, "globex");
    assert.equal(first.sections["public.workflow_rules"].rows, 1);
    assert.equal(first.sections["public.workflow_rule_versions"].rows, 2);
    await restoreTenant({ in: createReadStream(file), transferKey: keyFile, replace: true, via: "test" });
    const again = await exportTo(path.join(dir, "globex-again.archive"), "globex");
    for (const name of ["public.workflow_rules", "public.workflow_rule_versions"]) assert.deepEqual(again.sections[name], first.sections[name], name);
  },
);

// Last: its export leaves a row in acme-eu's audit chain, which the restores above expect empty.
test("below a tenant being offboarded nothing is restored, in place or under a named parent (the CLI path too)", async () => {
  // The offboarding workflow purges acme's whole subtree: a site restored below it would go with it.
  const site = path.join(dir, "acme-eu-offboarding.archive");
  await exportTo(site, "acme-eu");
  const before = await digests(source.url, Object.values(fx.tenants));
  await withClient(source.url, (c) => c.query("update public.tenants set status = 'deprovisioning' where id = $1", [fx.tenants.acme]));
  try {
    for (const opts of [{ replace: true }, { replace: true, parentSlug: "acme" }]) {
      await assert.rejects(restoreTenant({ in: createReadStream(site), transferKey: keyFile, ...opts }), (e: ArchiveError) => {
        assert.equal(e.code, "invalid");
        assert.match(e.message, /acme is being offboarded \(or was\): acme-eu cannot be restored under it/);
        return true;
      });
    }
  } finally {
    await withClient(source.url, (c) => c.query("update public.tenants set status = 'active' where id = $1", [fx.tenants.acme]));
  }
  assert.deepEqual(await digests(source.url, Object.values(fx.tenants)), before);
});
