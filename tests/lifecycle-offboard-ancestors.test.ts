// What other tenants hold about an offboarded subtree (lib/lifecycle/offboard-copies.ts), on the
// real Postgres with the real rule engine and health notifier: offboarding the site acme-eu removes
// the deliveries about its alerts sent to its ancestors' channels (the MSSP's email and webhook
// channels, its parent customer's email channel), their attempts and their outbox messages (which
// carry the alert's title), the health-change deliveries about it in the MSSP's default webhook,
// and withdraws the content of its parent's reports made since it existed. The ancestors' other
// rows stay: the deliveries about their own alerts and a sibling's, a test delivery, a report made
// before the site existed, another customer's report. A second run finds nothing. A parent's report made
// while the site's rows were being purged, or still being generated then, is withdrawn as well.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { getJobAsService, registerJobHandler, runJobsUntilIdle } from "@/lib/jobs";
import { notifyTransition } from "@/lib/health/notify";
import { OFFBOARD_KIND, startOffboarding } from "@/lib/lifecycle/offboard";
import { COPIES_SQL, countCopies, removeCopiesBatch } from "@/lib/lifecycle/offboard-copies";
import { offboardHandler } from "@/lib/lifecycle/offboard-workflow";
import { createChannel, queueNotification } from "@/lib/notify";
import { createRule } from "@/lib/rules";
import { EVALUATE_TASK, registerWorkflowTasks } from "@/lib/rules/engine";
import { setSettingValue } from "@/lib/settings";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";
import { migrationFile } from "./helpers/migration-files";

let db: TestDatabase;
let fx: Fixtures;
let dir: string;

before(async () => {
  process.env.NEXTAUTH_SECRET ??= "offboard-ancestors-test-secret";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  registerWorkflowTasks();
  registerJobHandler(OFFBOARD_KIND, offboardHandler());
  dir = await mkdtemp(path.join(os.tmpdir(), "offboard-ancestors-"));
  process.env.TENANT_ARCHIVE_DIR = path.join(dir, "archives");
  process.env.TENANT_ARCHIVE_KEY_FILE = path.join(dir, "transfer.key");
  await writeFile(process.env.TENANT_ARCHIVE_KEY_FILE, randomBytes(32).toString("base64"));
});
after(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const as = <T>(user: UserName, fn: (tx: TenantTx) => Promise<T>) => withTenant({ userId: fx.users[user] }, fn);
const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);

const TITLE = "offboard-copy";
const rule = (channels: string[]) => ({ match: "all", conditions: [{ field: "title", op: "contains", value: TITLE }], actions: { notify: channels } });

async function notifiedAlert(tenant: TenantSlug, label: string): Promise<{ id: string; title: string }> {
  const title = `${TITLE} ${label}`;
  const [{ id }] = await owner<{ id: string }>(
    `insert into public.alerts (tenant_id, title, severity, source, hostname, status) values ($1, $2, 'high', 'edr', $3, 'new') returning id`,
    [fx.tenants[tenant], title, `${tenant}-db-01`],
  );
  await runJobsUntilIdle({ kinds: [EVALUATE_TASK] });
  return { id, title };
}

const deliveriesAbout = (alertId: string) =>
  owner<{ tenant_id: string; kind: string; mail_id: string | null }>("select tenant_id, kind, mail_id from public.notification_deliveries where alert_id = $1 order by tenant_id, kind", [alertId]);
const mailsAbout = (title: string) => owner<{ id: string; tenant_id: string | null }>("select id, tenant_id from mail.outbox where subject like '%' || $1 || '%' order by id", [title]);
const healthDeliveriesAbout = (tenant: TenantSlug) =>
  owner<{ tenant_id: string; id: string }>(
    "select tenant_id, id from public.notification_deliveries where reason = 'health' and payload #>> '{health,tenant_id}' = $1 order by id",
    [fx.tenants[tenant]],
  );
const reportRow = async (id: string) =>
  (await owner<{ status: string; content: Buffer | null; size_bytes: number | null; error: string | null }>("select status, content, size_bytes, error from public.reports where id = $1", [id]))[0];

async function report(tenant: TenantSlug, text: string, finishedAt: string | null = null): Promise<string> {
  const [{ id }] = await owner<{ id: string }>(
    `insert into public.reports (tenant_id, kind, format, period_start, period_end, status, progress, content, size_bytes, finished_at)
     values ($1, 'operational', 'csv', now() - interval '7 days', now(), 'ready', 100, convert_to($2, 'UTF8'), length($2), coalesce($3::timestamptz, now())) returning id`,
    [fx.tenants[tenant], text, finishedAt],
  );
  return id;
}

test("offboarding a site: its ancestors' deliveries, mails, health notices and reports about it go; their other rows stay; a second run finds nothing", async () => {
  // Channels: the MSSP's email and webhook (its rule applies to every tenant below it), the parent customer's email.
  const msspMail = await as("msspAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants["mssp-a"], name: "soc mail", kind: "email", recipients: ["soc@mssp.test"] }));
  const msspHook = await as("msspAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants["mssp-a"], name: "soc hook", kind: "webhook", url: "https://hooks.example.com/soc" }));
  const acmeMail = await as("acmeAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants.acme, name: "acme pager", kind: "email", recipients: ["pager@acme.test"] }));
  await as("msspAdmin", (tx) => createRule(tx, { tenantId: fx.tenants["mssp-a"], name: "soc", position: 1, enabled: true, definition: rule([msspMail.channel.id, msspHook.channel.id]) }));
  await as("acmeAdmin", (tx) => createRule(tx, { tenantId: fx.tenants.acme, name: "pager", position: 1, enabled: true, definition: rule([acmeMail.channel.id]) }));
  // The MSSP's default webhook (inherited by every tenant below): health changes go there.
  await as("msspAdmin", (tx) => setSettingValue(tx, { tenantId: fx.tenants["mssp-a"], key: "notifications.webhook_ids", raw: msspHook.channel.id }));

  const gone = await notifiedAlert("acme-eu", "eu ransomware");
  const sibling = await notifiedAlert("acme-us", "us phishing");
  const parents = await notifiedAlert("acme", "acme own");
  const other = await notifiedAlert("globex", "globex own");
  const before = await deliveriesAbout(gone.id);
  assert.deepEqual(
    before.map((d) => `${fx.slugOf(d.tenant_id)}:${d.kind}`).sort(),
    ["acme:email", "mssp-a:email", "mssp-a:webhook"],
    "the site's alert went to its ancestors' three channels",
  );
  assert.equal((await mailsAbout(gone.title)).length, 2, "two mails carry its title, under the ancestors' ids");
  assert.ok((await mailsAbout(gone.title)).every((m) => m.tenant_id !== fx.tenants["acme-eu"]));
  await owner(
    `insert into public.notification_attempts (tenant_id, delivery_id, attempt, outcome, error)
     select tenant_id, id, 1, 'retrying', 'timeout about eu' from public.notification_deliveries where alert_id = $1 and kind = 'webhook'`,
    [gone.id],
  );
  // Health changes of the site and of its sibling, announced to the MSSP's default webhook.
  for (const t of ["acme-eu", "acme-us"] as const) {
    await withServiceRole("health.evaluate", (sdb) =>
      notifyTransition(sdb, { tenantId: fx.tenants[t], id: crypto.randomUUID(), from: "healthy", to: "degraded", reasons: [{ kind: "collectors", level: "warn", reason: `Collector '${t}-edr' silent for 15 min` } as never], at: new Date() }),
    );
  }
  assert.equal((await healthDeliveriesAbout("acme-eu")).length, 1);
  // A test delivery of the MSSP's webhook: about no tenant.
  await withServiceRole("workflows.engine", (sdb) =>
    queueNotification(sdb, { channel: { tenantId: fx.tenants["mssp-a"], id: msspHook.channel.id, kind: "webhook", recipients: [], tenantName: "Tenant mssp-a" }, reason: "test" }),
  );
  // Reports: the parent's, made while the site existed (its figures name the site's alert and host); one made before the site existed; another customer's.
  const [{ created }] = await owner<{ created: Date }>("select created_at as created from public.tenants where id = $1", [fx.tenants["acme-eu"]]);
  const parentReport = await report("acme", `top_alerts,${gone.title},high,1\ntop_hosts,acme-eu-db-01,1`);
  const olderReport = await report("acme", "top_alerts,acme alert 1,high,1", new Date(created.getTime() - 86_400_000).toISOString());
  const otherReport = await report("globex", `top_alerts,${other.title},high,1`);

  const deliveriesBefore = await owner<{ id: string }>("select id from public.notification_deliveries where not (alert_id is not distinct from $1) and coalesce(payload #>> '{health,tenant_id}', '') <> $2 order by id", [gone.id, fx.tenants["acme-eu"]]);
  const siblingBefore = await deliveriesAbout(sibling.id);
  const parentsBefore = await deliveriesAbout(parents.id);
  const otherBefore = await deliveriesAbout(other.id);
  const keptMails = [...(await mailsAbout(sibling.title)), ...(await mailsAbout(parents.title)), ...(await mailsAbout(other.title))];
  assert.ok(siblingBefore.length === 3 && parentsBefore.length === 3 && otherBefore.length === 2 && keptMails.length === 5, JSON.stringify([siblingBefore.length, parentsBefore.length, otherBefore.length, keptMails.length]));

  const started = await withServiceRole("lifecycle.workflow", (sdb) => startOffboarding(sdb, { tenantId: fx.tenants["acme-eu"], confirmName: "Tenant acme-eu", graceDays: 0 }, fx.users.msspAdmin));
  assert.deepEqual((await runJobsUntilIdle({ kinds: [OFFBOARD_KIND] })).outcomes, ["succeeded"]);

  // Gone: every delivery about the site's alert (the ancestors' channels), their attempts and mails; the health notice about it.
  assert.deepEqual(await deliveriesAbout(gone.id), [], "the ancestors' deliveries about the offboarded site's alert");
  assert.deepEqual(await mailsAbout(gone.title), [], "the mails carrying its title");
  assert.equal((await owner<{ n: number }>("select count(*)::int as n from public.notification_attempts where error = 'timeout about eu'"))[0].n, 0);
  assert.deepEqual(await healthDeliveriesAbout("acme-eu"), [], "the health notice about the site");
  const [{ n: naming }] = await owner<{ n: number }>(
    "select count(*)::int as n from public.notification_deliveries where payload::text like '%' || $1 || '%' or payload::text like '%acme-eu%'",
    [fx.tenants["acme-eu"]],
  );
  assert.equal(naming, 0, "no delivery anywhere names the site");
  // Withdrawn: the parent's report made while the site existed; its row stays, saying why.
  const withdrawn = await reportRow(parentReport);
  assert.equal(withdrawn.status, "failed");
  assert.equal(withdrawn.content, null);
  assert.equal(withdrawn.size_bytes, null);
  assert.match(withdrawn.error ?? "", /Withdrawn when Tenant acme-eu was offboarded/);

  // Kept: everything else the ancestors and the others hold.
  assert.deepEqual(
    await owner<{ id: string }>("select id from public.notification_deliveries order by id"),
    deliveriesBefore,
    "the other deliveries (the sibling's, the parent's own, another customer's, the sibling's health notice, the test) are all there",
  );
  assert.deepEqual(await deliveriesAbout(sibling.id), siblingBefore);
  assert.deepEqual(await deliveriesAbout(parents.id), parentsBefore);
  assert.deepEqual(await deliveriesAbout(other.id), otherBefore);
  assert.equal((await healthDeliveriesAbout("acme-us")).length, 1);
  assert.deepEqual([...(await mailsAbout(sibling.title)), ...(await mailsAbout(parents.title)), ...(await mailsAbout(other.title))], keptMails);
  const older = await reportRow(olderReport);
  assert.equal(older.status, "ready", "a report made before the site existed cannot hold it");
  assert.ok(older.content);
  const others = await reportRow(otherReport);
  assert.equal(others.status, "ready");
  assert.equal(others.content?.toString(), `top_alerts,${other.title},high,1`);

  // Recorded: the job's result and its audit row count what went.
  const job = await getJobAsService(fx.tenants["acme-eu"], started.job.id);
  assert.equal(job?.status, "succeeded");
  const [audit] = await owner<{ details: { copies_removed: { deliveries: number; mails: number; reports: number } } }>(
    "select details from public.audit_log where action = 'tenant.offboarded' and tenant_id = $1",
    [fx.tenants["acme-eu"]],
  );
  assert.deepEqual(audit.details.copies_removed, { deliveries: 4, mails: 2, reports: 1 }, "three alert deliveries and a health notice; two mails; one report");

  // Again: nothing left to find.
  const subtree = { rootId: fx.tenants["acme-eu"], rootName: "Tenant acme-eu", ids: [fx.tenants["acme-eu"]] };
  assert.equal(await withServiceRole("lifecycle.workflow", (sdb) => countCopies(sdb.$client, subtree)), 0);
  assert.deepEqual(await withServiceRole("lifecycle.workflow", (sdb) => removeCopiesBatch(sdb.$client, subtree, 10)), { deliveries: 0, mails: 0, reports: 0 });
});

type PlanNode = { "Node Type": string; "Index Name"?: string; "Index Cond"?: string; "Relation Name"?: string; Plans?: PlanNode[] };
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];
const shown = (plan: PlanNode[]) => JSON.stringify(plan.map((n) => [n["Node Type"], n["Relation Name"], n["Index Name"], n["Index Cond"]]));

test("the copies are found through indexes (migrations 20261201031200, 20261201031600), not by reading every delivery of the MSSP", async () => {
  const [ch] = await owner<{ id: string }>(
    "insert into public.notification_channels (tenant_id, id, name, kind, recipients) values ($1, gen_random_uuid(), 'plan mail', 'email', '{plan@mssp.test}') returning id",
    [fx.tenants["mssp-a"]],
  );
  // A busy MSSP channel: 20,000 deliveries about the alerts of 2,000 tenants, and 20,000 health notices about them.
  await owner(
    `insert into public.notification_deliveries (tenant_id, channel_id, kind, reason, alert_tenant_id, alert_id, payload)
     select $1, $2, 'email', 'rule', md5((g % 2000)::text)::uuid, gen_random_uuid(), '{}' from generate_series(1, 20000) g`,
    [fx.tenants["mssp-a"], ch.id],
  );
  await owner(
    `insert into public.notification_deliveries (tenant_id, channel_id, kind, reason, payload)
     select $1, $2, 'email', 'health', jsonb_build_object('health', jsonb_build_object('tenant_id', md5((g % 2000)::text)::uuid)) from generate_series(1, 20000) g`,
    [fx.tenants["mssp-a"], ch.id],
  );
  await owner("analyze public.notification_deliveries");
  const [{ id }] = await owner<{ id: string }>("select md5('7')::uuid as id");
  await withClient(db.url, async (c) => {
    const planOf = async (sql: string, params: unknown[]) => nodes(((await c.query(`explain (format json) ${sql}`, params)).rows[0]["QUERY PLAN"] as { Plan: PlanNode }[])[0].Plan);
    const alerts = await planOf(COPIES_SQL.alertDeliveries, [[id], 1000]);
    assert.match(alerts.find((n) => n["Index Name"] === "notification_deliveries_alert")?.["Index Cond"] ?? "", /alert_tenant_id = ANY/, shown(alerts));
    assert.ok(!alerts.some((n) => n["Node Type"] === "Seq Scan"), shown(alerts));
    const health = await planOf(COPIES_SQL.healthDeliveries, [[id], 1000]);
    assert.ok(health.some((n) => n["Index Name"] === "notification_deliveries_health"), shown(health));
    assert.ok(!health.some((n) => n["Node Type"] === "Seq Scan"), shown(health));
  });
});

test("billing law: a customer with finalized invoices is offboarded; the finalized invoices and their lines stay, the drafts go", async () => {
  const g = fx.tenants.globex;
  const invoice = await withClient(db.url, async (c) => {
    const { rows: [plan] } = await c.query("insert into public.billing_plans (tenant_id, name, currency, base_fee) values ($1, 'Offboard plan', 'EUR', 100) returning id", [fx.tenants["mssp-a"]]);
    const add = async (month: string) => {
      const { rows: [inv] } = await c.query(
        `insert into public.billing_invoices (tenant_id, mssp_id, period_start, period_end, currency, plan_id, plan_name, subtotal, total)
         values ($1, $2, $3::date, $3::date + interval '1 month', 'EUR', $4, 'Offboard plan', 100, 100) returning id`,
        [g, fx.tenants["mssp-a"], month, plan.id],
      );
      await c.query("insert into public.billing_invoice_lines (tenant_id, invoice_id, line_no, kind, description, billable, unit_price, amount) values ($1, $2, 1, 'base_fee', 'Offboard plan: monthly base fee', 1, 100, 100)", [g, inv.id]);
      return inv.id as string;
    };
    const finalized = await add("2026-01-01");
    await c.query("update public.billing_invoices set status = 'finalized' where tenant_id = $1 and id = $2", [g, finalized]);
    await add("2026-02-01"); // a draft
    await c.query(
      `insert into public.billing_invoices (tenant_id, mssp_id, kind, period_start, period_end, currency, plan_name, subtotal, total, credits_invoice_id, reason)
       values ($1, $2, 'credit_note', '2026-01-01', '2026-02-01', 'EUR', 'Offboard plan', -10, -10, $3, 'goodwill')`,
      [g, fx.tenants["mssp-a"], finalized],
    );
    return finalized;
  });
  await withServiceRole("lifecycle.workflow", (sdb) => startOffboarding(sdb, { tenantId: g, confirmName: "Tenant globex", graceDays: 0 }, fx.users.msspAdmin));
  const run = await runJobsUntilIdle({ kinds: [OFFBOARD_KIND] });
  const steps = await owner("select name, status, last_error from public.job_steps where tenant_id = $1 order by position", [g]);
  assert.deepEqual(run.outcomes, ["succeeded"], JSON.stringify(steps));
  assert.deepEqual(await owner("select id, status, number from public.billing_invoices where tenant_id = $1", [g]), [{ id: invoice, status: "finalized", number: 1 }]);
  assert.equal((await owner<{ n: number }>("select count(*)::int as n from public.billing_invoice_lines where tenant_id = $1 and invoice_id = $2", [g, invoice]))[0].n, 1);
  assert.equal((await owner<{ n: number }>("select count(*)::int as n from public.billing_invoice_lines where tenant_id = $1", [g]))[0].n, 1, "the draft's line went");
  assert.equal((await owner<{ n: number }>("select count(*)::int as n from public.alerts where tenant_id = $1", [g]))[0].n, 0, "the rest of the customer is purged");
  assert.equal((await owner<{ status: string }>("select status from public.tenants where id = $1", [g]))[0].status, "deprovisioned");
});

test("20261201031600: the rollback drops the health index, the migration applies again", async () => {
  const MIGRATION = "20261201031600_offboard_health_deliveries_index";
  const sqlOf = (dir: "migrations" | "rollbacks") => migrationFile(dir, MIGRATION);
  const index = async () => (await owner<{ i: string | null }>("select to_regclass('public.notification_deliveries_health')::text as i"))[0].i;
  assert.equal(await index(), "notification_deliveries_health");
  await owner(await sqlOf("rollbacks"));
  assert.equal(await index(), null);
  await owner(await sqlOf("migrations"));
  assert.equal(await index(), "notification_deliveries_health");
});

test("an ancestor's report made while the site's rows were being purged, or still being generated then, is withdrawn too", async () => {
  const site = fx.tenants["acme-us"];
  await owner(`insert into public.alerts (tenant_id, title, severity, source, hostname, status) values ($1, 'mid-purge alert', 'high', 'edr', 'acme-us-db-09', 'new')`, [site]);
  // As the site's alerts are deleted, the parent's worker finishes one report (its content names the site's alert) and
  // has another one running (its figures read while the site's rows were still there; stored once it is done).
  await owner(
    `create function public.test_mid_purge_reports() returns trigger language plpgsql security definer set search_path = pg_catalog as $$
     begin
       if not exists (select 1 from public.reports where tenant_id = '${fx.tenants.acme}' and kind = 'executive') then
         insert into public.reports (tenant_id, kind, format, period_start, period_end, status, progress, content, size_bytes, finished_at)
         values ('${fx.tenants.acme}', 'executive', 'csv', now() - interval '7 days', now(), 'ready', 100, convert_to('top_alerts,mid-purge alert,high,1', 'UTF8'), 33, clock_timestamp()),
                ('${fx.tenants.acme}', 'executive', 'pdf', now() - interval '7 days', now(), 'running', 10, null, null, null);
       end if;
       return null;
     end $$`,
  );
  await owner(`create trigger test_mid_purge_reports after delete on public.alerts for each row when (old.tenant_id = '${site}') execute function public.test_mid_purge_reports()`);
  try {
    await withServiceRole("lifecycle.workflow", (sdb) => startOffboarding(sdb, { tenantId: site, confirmName: "Tenant acme-us", graceDays: 0 }, fx.users.msspAdmin));
    const run = await runJobsUntilIdle({ kinds: [OFFBOARD_KIND] });
    assert.deepEqual(run.outcomes, ["succeeded"], JSON.stringify(await owner("select name, status, last_error from public.job_steps where tenant_id = $1 order by position", [site])));
  } finally {
    await owner("drop trigger if exists test_mid_purge_reports on public.alerts");
    await owner("drop function if exists public.test_mid_purge_reports()");
  }
  const made = await owner<{ format: string; status: string; content: Buffer | null; error: string | null }>(
    "select format, status, content, error from public.reports where tenant_id = $1 and kind = 'executive' order by format",
    [fx.tenants.acme],
  );
  assert.equal(made.length, 2, "the trigger made its two reports during the purge");
  for (const r of made) {
    assert.equal(r.status, "failed", `${r.format}: withdrawn`);
    assert.equal(r.content, null);
    assert.match(r.error ?? "", /Withdrawn when Tenant acme-us was offboarded/);
  }
  // The generator stores a report's content only while it is still running: the withdrawn one stays without it.
  const stored = await owner("update public.reports set status = 'ready', content = 'x' where tenant_id = $1 and kind = 'executive' and format = 'pdf' and status = 'running' returning id", [fx.tenants.acme]);
  assert.equal(stored.length, 0);
});
