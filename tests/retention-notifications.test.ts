// What was sent about an alert leaves with it (lib/retention/purge.ts): the
// daily purge deletes, past the alert tenant's retention, the notification
// deliveries about its alerts (their payload is the alert's summary; no
// foreign key ties them to the alert), whichever tenant's channel sent them,
// with their outbox messages, and the alert mails no delivery tracks (the
// default recipients'), whose subject is the alert's title. Another tenant's
// deliveries, and those of an alert still kept, stay. And the purge's
// statements are index scans (migration 20261201031200), not a read and sort
// of the tenant's every alert.
// Real Postgres; the notifications are queued by the real rule engine.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type pg from "pg";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { runJobsUntilIdle } from "@/lib/jobs";
import { createChannel } from "@/lib/notify";
import { createRule } from "@/lib/rules";
import { EVALUATE_TASK, registerWorkflowTasks } from "@/lib/rules/engine";
import { ALERT_MAIL_TEMPLATES, PURGE_SQL, purgeExpiredAlerts } from "@/lib/retention/purge";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
const DAY = 24 * 3600 * 1000;

before(async () => {
  process.env.NEXTAUTH_SECRET ??= "retention-notifications-test-secret";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  registerWorkflowTasks();
});
after(async () => {
  await db?.drop();
});

const as = <T>(user: UserName, fn: (tx: TenantTx) => Promise<T>) => withTenant({ userId: fx.users[user] }, fn);
const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);

const rule = (channel: string | null, defaults = false) => ({
  match: "all",
  conditions: [{ field: "title", op: "contains", value: "retention-notify" }],
  actions: { notify: channel ? [channel] : [], ...(defaults ? { notifyDefaults: true } : {}) },
});

/** An alert that arrived `days` ago, and what the rules sent about it a minute later. */
async function notifiedAlert(tenant: TenantSlug, days: number, label: string): Promise<{ id: string; title: string }> {
  const title = `retention-notify ${label}`;
  // Rules act on arrivals (detected in the last 24 hours): it arrives now, the rules run, then all of it is aged.
  const [{ id }] = await owner<{ id: string }>(
    `insert into public.alerts (tenant_id, title, severity, source, hostname, status) values ($1, $2, 'high', 'edr', 'web-01', 'new') returning id`,
    [fx.tenants[tenant], title],
  );
  await runJobsUntilIdle({ kinds: [EVALUATE_TASK] });
  await owner(
    `update public.alerts set created_at = created_at - make_interval(days => $2), detected_at = detected_at - make_interval(days => $2) where id = $1`,
    [id, days],
  );
  // A delivery is written after its alert arrived (the rule's job): a minute after, as aged.
  const deliveries = await owner<{ mail_id: string | null }>(
    `update public.notification_deliveries set created_at = now() - make_interval(days => $3) + interval '1 minute'
      where alert_tenant_id = $1 and alert_id = $2 returning mail_id`,
    [fx.tenants[tenant], id, days],
  );
  assert.ok(deliveries.length > 0, `the rules notified about ${label}`);
  await owner(`update mail.outbox set created_at = now() - make_interval(days => $2) + interval '1 minute' where subject like '%' || $1`, [title, days]);
  return { id, title };
}

const deliveriesOf = (alertId: string) =>
  owner<{ tenant_id: string; mail_id: string | null }>("select tenant_id, mail_id from public.notification_deliveries where alert_id = $1 order by tenant_id", [alertId]);
const mailsAbout = (title: string) => owner<{ id: string; tenant_id: string; template: string }>("select id, tenant_id, template from mail.outbox where subject like '%' || $1", [title]);
const attemptsOf = (alertId: string) =>
  owner<{ n: number }>(
    `select count(*)::int as n from public.notification_attempts a
       join public.notification_deliveries d on d.tenant_id = a.tenant_id and d.id = a.delivery_id where d.alert_id = $1`,
    [alertId],
  );

describe("retention: deliveries and mails about purged alerts", () => {
  test("an expired alert's deliveries (its own tenant's channel and an ancestor's), their attempts and mails go; another tenant's and a kept alert's stay; audited", async () => {
    // Channels: the MSSP's (its rule applies to every customer below), acme's, globex's.
    const mssp = await as("msspAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants["mssp-a"], name: "mssp soc", kind: "email", recipients: ["soc@mssp.test"] }));
    const acme = await as("acmeAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants.acme, name: "acme pager", kind: "email", recipients: ["pager@acme.test"] }));
    const globex = await as("globexAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants.globex, name: "globex pager", kind: "email", recipients: ["pager@globex.test"] }));
    await as("msspAdmin", (tx) => createRule(tx, { tenantId: fx.tenants["mssp-a"], name: "mssp notify", position: 1, enabled: true, definition: rule(mssp.channel.id) }));
    await as("acmeAdmin", (tx) => createRule(tx, { tenantId: fx.tenants.acme, name: "acme notify", position: 1, enabled: true, definition: rule(acme.channel.id, true) }));
    await as("globexAdmin", (tx) => createRule(tx, { tenantId: fx.tenants.globex, name: "globex notify", position: 1, enabled: true, definition: rule(globex.channel.id) }));
    // acme's default recipients: mails no delivery row tracks.
    await owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'notifications.emails', $2::jsonb)", [fx.tenants.acme, JSON.stringify(["defaults@acme.test"])]);
    await owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.data_retention_days', '30')", [fx.tenants.acme]);

    const acmeOld = await notifiedAlert("acme", 40, "acme old");
    const acmeKept = await notifiedAlert("acme", 20, "acme kept");
    const globexOld = await notifiedAlert("globex", 40, "globex old"); // globex keeps 365 days (the default)

    // What there is before: acme's old alert went to the MSSP's channel (an ancestor's row), acme's, and its default address.
    const before = await deliveriesOf(acmeOld.id);
    assert.deepEqual(before.map((d) => d.tenant_id).sort(), [fx.tenants["mssp-a"], fx.tenants.acme].sort());
    assert.deepEqual((await mailsAbout(acmeOld.title)).map((m) => m.template), ["workflows.alert", "workflows.alert", "workflows.alert"]);
    // An attempt on acme's own delivery (as the delivery path records them).
    await owner(
      `insert into public.notification_attempts (tenant_id, delivery_id, attempt, outcome, error)
       select tenant_id, id, 1, 'retrying', 'smtp timeout' from public.notification_deliveries where alert_id = $1`,
      [acmeOld.id],
    );
    const keptBefore = await deliveriesOf(acmeKept.id);
    const globexBefore = await deliveriesOf(globexOld.id);
    const keptMails = await mailsAbout(acmeKept.title);
    const globexMails = await mailsAbout(globexOld.title);
    assert.equal(keptMails.length, 3);
    assert.equal(globexMails.length, 2);

    const purged = await purgeExpiredAlerts({ batchSize: 1 });
    const acmePurge = purged.find((p) => p.tenantId === fx.tenants.acme);
    assert.deepEqual(
      { deleted: acmePurge?.deleted, deliveries: acmePurge?.deliveries, mails: acmePurge?.mails },
      { deleted: 1, deliveries: 2, mails: 3 },
      "the alert, its two deliveries, their two mails and the default recipient's mail",
    );
    assert.equal(purged.find((p) => p.tenantId === fx.tenants.globex), undefined, "globex keeps 365 days");
    assert.equal(purged.find((p) => p.tenantId === fx.tenants["mssp-a"]), undefined, "the MSSP's own alerts are not purged for its customer's");

    assert.deepEqual(await deliveriesOf(acmeOld.id), [], "both deliveries about the purged alert are gone, the ancestor's channel's too");
    assert.deepEqual(await mailsAbout(acmeOld.title), [], "and the mails carrying its title");
    assert.equal((await attemptsOf(acmeOld.id))[0].n, 0);
    const [{ n: leftAttempts }] = await owner<{ n: number }>("select count(*)::int as n from public.notification_attempts where error = 'smtp timeout'");
    assert.equal(leftAttempts, 0, "their attempts went with them");

    assert.deepEqual(await deliveriesOf(acmeKept.id), keptBefore, "a kept alert's deliveries stay");
    assert.deepEqual((await mailsAbout(acmeKept.title)).map((m) => m.id).sort(), keptMails.map((m) => m.id).sort());
    assert.deepEqual(await deliveriesOf(globexOld.id), globexBefore, "another tenant's deliveries stay, the MSSP channel's about it included");
    assert.deepEqual((await mailsAbout(globexOld.title)).map((m) => m.id).sort(), globexMails.map((m) => m.id).sort());

    // One audit row per batch that deleted anything (batches of 1: the alert with one delivery and one untracked mail, then the other delivery).
    const audit = await owner<{ details: { deleted: number; deliveries: number; mails: number } }>(
      "select details from public.audit_log where action = 'retention.purge' and tenant_id = $1 order by seq",
      [fx.tenants.acme],
    );
    const sum = (k: "deleted" | "deliveries" | "mails") => audit.reduce((s, r) => s + r.details[k], 0);
    assert.deepEqual([sum("deleted"), sum("deliveries"), sum("mails")], [1, 2, 3]);
    assert.ok(audit.every((r) => r.details.deleted + r.details.deliveries + r.details.mails > 0));

    // Again: nothing more.
    assert.deepEqual(await purgeExpiredAlerts({ batchSize: 1 }), []);
  });

  test("an MSSP channel's delivery and mail about a customer's alert go by the customer's retention, not the MSSP's", async () => {
    // globex keeps 365 days, its MSSP 30: the MSSP channel's delivery about globex's 40-day-old alert (and its mail, of the MSSP) stay.
    await owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.data_retention_days', '30')", [fx.tenants["mssp-a"]]);
    await owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.data_retention_days', '365')", [fx.tenants.globex]);
    const old = await notifiedAlert("globex", 45, "globex mssp-held");
    const deliveries = await deliveriesOf(old.id);
    const mails = await mailsAbout(old.title);
    assert.ok(mails.some((m) => m.tenant_id === fx.tenants["mssp-a"]), "the MSSP channel's mail is the MSSP's");
    await purgeExpiredAlerts({ batchSize: 10 });
    assert.deepEqual(await deliveriesOf(old.id), deliveries);
    assert.deepEqual((await mailsAbout(old.title)).map((m) => m.id).sort(), mails.map((m) => m.id).sort());
  });
});

type PlanNode = { "Node Type": string; "Index Name"?: string; "Index Cond"?: string; "Relation Name"?: string; Plans?: PlanNode[] };
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];
async function planOf(c: pg.Client, sql: string, params: unknown[]): Promise<PlanNode[]> {
  const { rows } = await c.query(`explain (format json) ${sql}`, params);
  return nodes((rows[0]["QUERY PLAN"] as { Plan: PlanNode }[])[0].Plan);
}
const shown = (plan: PlanNode[]) => JSON.stringify(plan.map((n) => [n["Node Type"], n["Relation Name"], n["Index Name"], n["Index Cond"]]));
/**
 * Nothing reads a table whole or all of a tenant's rows: every scan is bounded by the cut-off (an
 * index condition on created_at) or probes rows by key (= ANY an array, one mail's delivery) or
 * address (a TID scan).
 */
function bounded(plan: PlanNode[]): boolean {
  if (plan.some((n) => n["Node Type"] === "Hash Join" || n["Node Type"] === "Merge Join")) return false;
  const scans = plan.filter((n) => /Scan$/.test(n["Node Type"]) && !["Bitmap Heap Scan", "Subquery Scan", "Tid Scan"].includes(n["Node Type"]));
  return scans.every((n) => /created_at < |= ANY|mail_id = m\.id/.test(n["Index Cond"] ?? ""));
}

describe("the purge's plans", () => {
  test("each batch finds the tenant's expired rows through an index on the cut-off and deletes them by key: nothing reads the tenant's every alert or delivery", async () => {
    const tenant = fx.tenants["acme-us"];
    await owner("update public.workflow_rules set enabled = false"); // nothing to evaluate for these rows
    // A busy tenant and busy neighbours: 400 days of alerts, arrived in time order (as they do), and a delivery and a mail about each.
    await owner(`
      insert into public.alerts (tenant_id, title, severity, source, status, detected_at, created_at)
      select t.id, 'plan ' || g, 'low', 'edr', 'new', now() - g * interval '30 minutes', now() - g * interval '30 minutes'
        from generate_series(19200, 1, -1) g
        cross join (select id from public.tenants where slug in ('acme-us', 'acme-eu', 'globex')) t
       order by g desc`);
    const [ch] = await owner<{ id: string }>(
      "insert into public.notification_channels (tenant_id, id, name, kind, recipients) values ($1, gen_random_uuid(), 'plan mail', 'email', '{plan@acme.test}') returning id",
      [fx.tenants.acme],
    );
    await owner(
      `insert into public.notification_deliveries (tenant_id, channel_id, kind, reason, alert_tenant_id, alert_id, payload, mail_id, created_at)
       select $1, $2, 'email', 'rule', a.tenant_id, a.id, '{}', gen_random_uuid(), a.created_at + interval '1 minute'
         from public.alerts a where a.title like 'plan %' order by a.created_at`,
      [fx.tenants.acme, ch.id],
    );
    await owner(
      `insert into mail.outbox (tenant_id, recipient, template, subject, status, sent_at, created_at)
       select tenant_id, 'x@acme.test', 'workflows.alert', title, 'sent', created_at, created_at
         from public.alerts where title like 'plan %' order by created_at`,
    );
    await owner("analyze public.alerts, public.notification_deliveries, mail.outbox");

    const cutoff = new Date(Date.now() - 365 * DAY); // about 1 in 11 of the tenant's alerts is older
    await withClient(db.url, async (c) => {
      const alerts = await planOf(c, PURGE_SQL.alerts, [tenant, cutoff, 1000]);
      const pick = alerts.find((n) => n["Index Name"] === "alerts_tenant_created");
      assert.match(pick?.["Index Cond"] ?? "", /tenant_id = .*created_at < /, shown(alerts));
      assert.ok(bounded(alerts), shown(alerts));

      const deliveries = await planOf(c, PURGE_SQL.deliveries, [tenant, cutoff, 1000]);
      const dpick = deliveries.find((n) => n["Index Name"] === "notification_deliveries_alert");
      assert.match(dpick?.["Index Cond"] ?? "", /alert_tenant_id = .*created_at < /, shown(deliveries));
      assert.ok(bounded(deliveries), shown(deliveries));

      const mails = await planOf(c, PURGE_SQL.untrackedMails, [tenant, cutoff, 1000, ALERT_MAIL_TEMPLATES]);
      assert.match(mails.find((n) => n["Index Name"] === "outbox_tenant")?.["Index Cond"] ?? "", /tenant_id = .*created_at < /, shown(mails));
      assert.ok(mails.some((n) => n["Index Name"] === "notification_deliveries_mail"), `the tracked check is an index probe: ${shown(mails)}`);
      assert.ok(bounded(mails), shown(mails));
    });
  });
});
