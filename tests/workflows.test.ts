// Workflows (issue 10, item 4) against a real Postgres, the real job engine,
// a real HTTP receiver on loopback and a real SMTP server: the rule language
// refuses what it does not know; rules are versioned with their history and
// inherited down the tree (read-only below); the dry run counts what each rule
// would have matched; a new alert is evaluated by the job its insert queued
// (assignment through the triage path, audited as the rule; a signed webhook
// the receiver verifies); escalation waits for its time and for an
// unacknowledged alert; a failing channel is retried then marked failed; the
// SSRF guard holds at send time; nothing crosses tenants.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, test } from "node:test";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { runJobsUntilIdle } from "@/lib/jobs";
import { MAIL_TASK, registerMailDelivery } from "@/lib/mail/deliver";
import { createChannel, deleteChannel, listChannels, recentDeliveries, verifySignature, webhookUrlProblem } from "@/lib/notify";
import { deliverWebhook, NOTIFY_TASK, registerNotifyDelivery } from "@/lib/notify/deliver";
import { PUBLIC_ADDRESSES_ONLY } from "@/lib/credentials/outbound";
import { createRule, dryRun, parseDefinition, ruleHistory, rulesFor, updateRule, setRuleEnabled } from "@/lib/rules";
import { ESCALATE_TASK, EVALUATE_TASK, escalateAlert, registerWorkflowTasks } from "@/lib/rules/engine";
import { insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { startSmtpServer, useSmtp, type TestSmtpServer } from "./helpers/smtp";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let smtp: TestSmtpServer;

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
let received: Received[] = [];
let answer = 200;
let receiver: http.Server;

before(async () => {
  process.env.NEXTAUTH_SECRET = "workflows-test-secret";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  smtp = await startSmtpServer();
  useSmtp(smtp);
  registerMailDelivery();
  registerNotifyDelivery();
  registerWorkflowTasks();
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(answer).end("ok");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  // The test's address policy: webhooks go to this loopback receiver (as the e2e stub), never elsewhere.
  process.env.CONNECTOR_TEST_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
after(async () => {
  delete process.env.CONNECTOR_TEST_ENDPOINT;
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
  await smtp.stop();
  await db.drop();
});
beforeEach(() => {
  received = [];
  answer = 200;
  smtp.clear();
});

const as = <T>(user: UserName, fn: (tx: TenantTx) => Promise<T>) => withTenant({ userId: fx.users[user] }, fn);
const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
const runJobs = () => runJobsUntilIdle({ kinds: [EVALUATE_TASK, NOTIFY_TASK, MAIL_TASK, ESCALATE_TASK] });
let n = 0;
const unique = (p: string) => `${p} ${++n}`;

async function insertAlert(tenant: string, fields: { title: string; severity: string; hostname?: string; minutesAgo?: number }): Promise<string> {
  const [row] = await owner<{ id: string }>(
    `insert into public.alerts (tenant_id, title, severity, source, hostname, created_at, detected_at)
     values ($1, $2, $3, 'crowdstrike', $4, now() - make_interval(mins => $5), now() - make_interval(mins => $5)) returning id`,
    [tenant, fields.title, fields.severity, fields.hostname ?? null, fields.minutesAgo ?? 0],
  );
  return row.id;
}

const definition = (over: Record<string, unknown> = {}) => ({
  match: "all",
  conditions: [
    { field: "severity", op: "at_least", value: "high" },
    { field: "hostname", op: "contains", value: "prod" },
  ],
  actions: { notify: [] },
  ...over,
});

describe("the rule language", () => {
  test("a condition on an unknown field, or with an operator its field lacks, is refused with a sentence", () => {
    const unknown = parseDefinition(definition({ conditions: [{ field: "asset_tag", op: "is", value: "prod" }], actions: { assignTo: fx.users.acmeAnalyst, notify: [] } }));
    assert.equal(unknown.ok, false);
    assert.match((unknown as { errors: string[] }).errors.join(), /Unknown field: a condition can be on severity, source, title, hostname/);
    const badOp = parseDefinition(definition({ conditions: [{ field: "title", op: "at_least", value: "x" }], actions: { assignTo: fx.users.acmeAnalyst, notify: [] } }));
    assert.match((badOp as { errors: string[] }).errors.join(), /Title cannot be compared that way: use contains, does not contain, is/);
    const badSeverity = parseDefinition(definition({ conditions: [{ field: "severity", op: "at_least", value: "urgent" }], actions: { assignTo: fx.users.acmeAnalyst, notify: [] } }));
    assert.match((badSeverity as { errors: string[] }).errors.join(), /Severity is one of critical, high, medium, low, info/);
    const nothing = parseDefinition(definition());
    assert.match((nothing as { errors: string[] }).errors.join(), /A rule must do something/);
    const extra = parseDefinition({ ...definition({ actions: { assignTo: fx.users.acmeAnalyst, notify: [] } }), run: "rm -rf" });
    assert.match((extra as { errors: string[] }).errors.join(), /unknown key "run"/);
  });

  test("a webhook URL to a private or loopback address is refused before anything is stored", async () => {
    for (const url of ["https://127.0.0.1/hook", "https://10.0.0.5/hook", "https://169.254.169.254/latest", "http://hooks.example.com/x", "https://localhost/hook"]) {
      assert.ok(webhookUrlProblem(url), url);
    }
    await assert.rejects(
      as("acmeAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants.acme, name: unique("bad"), kind: "webhook", url: "https://192.168.1.10/hook" })),
      /The webhook URL cannot be used/,
    );
    assert.equal((await owner(`select 1 from public.notification_channels where name like 'bad%'`)).length, 0);
  });
});

describe("rules: versions, inheritance, references", () => {
  test("every change is a new version with its history; an ancestor's rule is inherited read-only", async () => {
    const mssp = await as("msspAdmin", (tx) =>
      createRule(tx, { tenantId: fx.tenants["mssp-a"], name: unique("MSSP critical"), position: 10, enabled: true, definition: definition({ actions: { assignTo: fx.users.msspAnalyst, notify: [] } }) }),
    );
    const own = await as("acmeAdmin", (tx) =>
      createRule(tx, { tenantId: fx.tenants.acme, name: unique("Acme prod"), position: 10, enabled: true, definition: definition({ actions: { assignTo: fx.users.acmeAnalyst, notify: [] } }) }),
    );
    assert.equal(own.version, 1);
    const changed = await as("acmeAdmin", (tx) =>
      updateRule(tx, own.id, { tenantId: fx.tenants.acme, name: own.name, position: 20, enabled: true, definition: definition({ match: "any", actions: { assignTo: fx.users.acmeAnalyst, notify: [] } }) }),
    );
    assert.equal(changed.version, 2);
    const disabled = await as("acmeAdmin", (tx) => setRuleEnabled(tx, fx.tenants.acme, own.id, false));
    assert.equal(disabled.version, 3);
    const history = await as("acmeAdmin", (tx) => ruleHistory(tx, fx.tenants.acme, own.id));
    assert.deepEqual(history.map((h) => [h.version, h.change]), [[3, "disabled"], [2, "changed"], [1, "created"]]);
    // A save from an editor opened on version 2 (before the colleague disabled it) is refused: nothing undone.
    await assert.rejects(
      as("acmeAdmin", (tx) => updateRule(tx, own.id, { tenantId: fx.tenants.acme, name: "renamed", position: 20, enabled: true, definition: definition({ actions: { assignTo: fx.users.acmeAnalyst, notify: [] } }) }, 2)),
      /changed since you opened it \(it is at version 3 now, you edited version 2\)/,
    );
    const [kept] = await owner<{ version: number; enabled: boolean; name: string }>(`select version, enabled, name from public.workflow_rules where id = $1`, [own.id]);
    assert.deepEqual([kept.version, kept.enabled, kept.name], [3, false, own.name]);

    // acme sees the MSSP's rule as inherited, and its own; acme-eu sees both as inherited.
    const seen = await as("acmeAdmin", (tx) => rulesFor(tx, fx.tenants.acme));
    assert.deepEqual(seen.filter((r) => [mssp.id, own.id].includes(r.id)).map((r) => [r.id, r.inherited]), [[mssp.id, true], [own.id, false]]);
    const below = await as("acmeEuAdmin", (tx) => rulesFor(tx, fx.tenants["acme-eu"]));
    assert.ok(below.filter((r) => [mssp.id, own.id].includes(r.id)).every((r) => r.inherited));
    // Read-only below: acme's admin cannot change the MSSP's rule, even naming its id.
    await assert.rejects(
      as("acmeAdmin", (tx) => updateRule(tx, mssp.id, { tenantId: fx.tenants.acme, name: "taken over", position: 1, enabled: false, definition: definition({ actions: { assignTo: fx.users.acmeAnalyst, notify: [] } }) })),
      /That rule is not here/,
    );
    const [m] = await owner<{ version: number; enabled: boolean }>(`select version, enabled from public.workflow_rules where id = $1`, [mssp.id]);
    assert.deepEqual(m, { version: 1, enabled: true });
    // Another customer sees none of it.
    assert.deepEqual(await as("globexAdmin", (tx) => rulesFor(tx, fx.tenants.acme)), []);
    assert.ok((await as("globexAdmin", (tx) => rulesFor(tx, fx.tenants.globex))).every((r) => r.tenantId !== fx.tenants.acme));
    await owner(`delete from public.workflow_rules where id = any ($1::uuid[])`, [[mssp.id, own.id]]);
  });

  test("a channel of another tenant, or an assignee outside the tenant, is refused and nothing is saved", async () => {
    const globexChannel = await as("globexAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants.globex, name: unique("globex mail"), kind: "email", recipients: ["soc@globex.test"] }));
    const before = await owner(`select count(*)::int as n from public.workflow_rules`);
    await assert.rejects(
      as("acmeAdmin", (tx) => createRule(tx, { tenantId: fx.tenants.acme, name: unique("steal"), position: 1, enabled: true, definition: definition({ actions: { notify: [globexChannel.channel.id] } }) })),
      /not one of this tenant's channels/,
    );
    await assert.rejects(
      as("acmeAdmin", (tx) => createRule(tx, { tenantId: fx.tenants.acme, name: unique("outsider"), position: 1, enabled: true, definition: definition({ actions: { assignTo: fx.users.globexAdmin, notify: [] } }) })),
      /cannot be assigned alerts here/,
    );
    assert.deepEqual(await owner(`select count(*)::int as n from public.workflow_rules`), before);
    // Another tenant's channels are not even listed.
    assert.deepEqual(await as("acmeAdmin", (tx) => listChannels(tx, fx.tenants.globex)), []);
  });
});

describe("deleting a channel", () => {
  test("refused while a rule notifies it (actions or escalation), naming the rule; allowed once no rule does", async () => {
    const mail = await as("acmeAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants.acme, name: unique("pager"), kind: "email", recipients: ["pager@acme.test"] }));
    const id = mail.channel.id;
    const byAction = await as("acmeAdmin", (tx) =>
      createRule(tx, { tenantId: fx.tenants.acme, name: unique("Page on prod"), position: 50, enabled: true, definition: definition({ actions: { notify: [id] } }) }),
    );
    await assert.rejects(as("acmeAdmin", (tx) => deleteChannel(tx, fx.tenants.acme, id)), new RegExp(`Rules still notify this channel \\("${byAction.name}"\\)`));
    assert.equal((await owner<{ n: number }>("select count(*)::int as n from public.notification_channels where id = $1", [id]))[0].n, 1, "the channel stays");
    // Only the escalation names it now: still refused.
    await as("acmeAdmin", (tx) =>
      updateRule(tx, byAction.id, {
        tenantId: fx.tenants.acme,
        name: byAction.name,
        position: 50,
        enabled: true,
        definition: definition({ actions: { assignTo: fx.users.acmeAnalyst, notify: [] }, escalation: { afterMinutes: 30, notify: [id] } }),
      }),
    );
    await assert.rejects(as("acmeAdmin", (tx) => deleteChannel(tx, fx.tenants.acme, id)), /Rules still notify this channel/);
    await as("acmeAdmin", (tx) =>
      updateRule(tx, byAction.id, { tenantId: fx.tenants.acme, name: byAction.name, position: 50, enabled: false, definition: definition({ actions: { assignTo: fx.users.acmeAnalyst, notify: [] } }) }),
    );
    await as("acmeAdmin", (tx) => deleteChannel(tx, fx.tenants.acme, id));
    assert.equal((await owner<{ n: number }>("select count(*)::int as n from public.notification_channels where id = $1", [id]))[0].n, 0);
  });
});

describe("evaluation, delivery and escalation", () => {
  test("a new critical prod alert is assigned by the rule, audited as the rule, and a signed webhook reaches the receiver; escalation waits for its time", async () => {
    const { hook, hookSecret, mail } = await as("acmeAdmin", async (tx) => {
      const h = await createChannel(tx, { tenantId: fx.tenants.acme, name: unique("SOC webhook"), kind: "webhook", url: "https://hooks.example.com/soc/alerts" });
      const m = await createChannel(tx, { tenantId: fx.tenants.acme, name: unique("SOC mail"), kind: "email", recipients: ["oncall@acme.test"] });
      return { hook: h.channel, hookSecret: h.secret!, mail: m.channel };
    });
    assert.match(hookSecret, /^whsec_/);
    const [stored] = await owner<{ secret_sealed: Buffer }>(`select secret_sealed from public.notification_channels where id = $1`, [hook.id]);
    assert.ok(!stored.secret_sealed.toString("latin1").includes(hookSecret.slice(6)), "the secret is sealed, not stored");
    const rule = await as("acmeAdmin", (tx) =>
      createRule(tx, {
        tenantId: fx.tenants.acme,
        name: unique("Critical prod"),
        position: 1,
        enabled: true,
        definition: definition({
          actions: { assignTo: fx.users.acmeAnalyst, notify: [hook.id] },
          escalation: { afterMinutes: 15, assignTo: fx.users.acmeAdmin, notify: [mail.id] },
        }),
      }),
    );

    const alertId = await insertAlert(fx.tenants.acme, { title: "Ransomware on prod-db-1", severity: "critical", hostname: "prod-db-1" });
    const quiet = await insertAlert(fx.tenants.acme, { title: "Low noise", severity: "low", hostname: "prod-web" });
    // The insert queued the evaluation in its own transaction.
    const jobs = await owner<{ key: string }>(`select key from graphile_worker.jobs where key = any ($1)`, [[`workflows:evaluate:${alertId}`, `workflows:evaluate:${quiet}`]]);
    assert.equal(jobs.length, 2);
    await runJobs();

    const [a] = await owner<{ assigned_to: string }>(`select assigned_to from public.alerts where id = $1`, [alertId]);
    assert.equal(a.assigned_to, fx.users.acmeAnalyst);
    const [q] = await owner<{ assigned_to: string | null }>(`select assigned_to from public.alerts where id = $1`, [quiet]);
    assert.equal(q.assigned_to, null, "the low alert matched nothing");
    // The timeline has the assignment (the triage path), the trail names the rule.
    assert.equal((await owner(`select 1 from public.alert_events where alert_id = $1 and kind = 'assignment'`, [alertId])).length, 1);
    const audit = await owner<{ actor_id: string | null; details: { by_rule: string; rule_version: number } }>(
      `select actor_id, details from public.audit_log where target_id = $1 and action = 'alert.assigned'`,
      [alertId],
    );
    assert.equal(audit.length, 1);
    assert.equal(audit[0].actor_id, null);
    assert.equal(audit[0].details.by_rule, rule.id);

    // The receiver got one POST; it verifies the signature with the secret shown once.
    assert.equal(received.length, 1);
    const r = received[0];
    assert.equal(r.path, "/webhook/soc/alerts");
    const check = verifySignature(hookSecret, { timestamp: r.headers["x-portal-timestamp"] as string, signature: r.headers["x-portal-signature"] as string }, r.body);
    assert.deepEqual(check, { ok: true });
    assert.deepEqual(verifySignature("whsec_wrong", { timestamp: r.headers["x-portal-timestamp"] as string, signature: r.headers["x-portal-signature"] as string }, r.body), { ok: false, reason: "mismatch" });
    assert.deepEqual(verifySignature(hookSecret, { timestamp: r.headers["x-portal-timestamp"] as string, signature: r.headers["x-portal-signature"] as string }, r.body.replace("critical", "low")), { ok: false, reason: "mismatch" });
    const later = new Date(Date.now() + 10 * 60_000);
    assert.deepEqual(verifySignature(hookSecret, { timestamp: r.headers["x-portal-timestamp"] as string, signature: r.headers["x-portal-signature"] as string }, r.body, later), { ok: false, reason: "stale" });
    const body = JSON.parse(r.body);
    assert.equal(body.type, "alert.routed");
    assert.equal(body.alert.id, alertId);
    assert.equal(body.rule.id, rule.id);
    assert.ok(!r.body.includes(hookSecret));

    const deliveries = await as("acmeAdmin", (tx) => recentDeliveries(tx, fx.tenants.acme));
    assert.equal(deliveries.find((d) => d.channelId === hook.id)?.status, "delivered");
    // Analysts do not read deliveries (admins only).
    assert.deepEqual(await as("acmeAnalyst", (tx) => recentDeliveries(tx, fx.tenants.acme)), []);

    // A second run of the evaluation does nothing twice.
    await owner(`select graphile_worker.add_job('workflows:evaluate', json_build_object('tenantId', $1::uuid, 'alertId', $2::uuid), job_key => 'again:' || $2)`, [fx.tenants.acme, alertId]);
    await runJobs();
    assert.equal(received.length, 1);

    // Escalation: scheduled at arrival + 15 minutes exactly.
    const [job] = await owner<{ run_at: Date; queue_name: string | null }>(`select run_at, queue_name from graphile_worker.jobs where key = $1`, [`workflows:escalate:${alertId}:${rule.id}`]);
    const [created] = await owner<{ created_at: Date }>(`select created_at from public.alerts where id = $1`, [alertId]);
    assert.equal(new Date(job.run_at).getTime(), new Date(created.created_at).getTime() + 15 * 60_000);
    // In the tenant's own queue, as the SQL side names it (fairness between tenants, docs/jobs.md).
    const [{ queue }] = await owner<{ queue: string }>(`select jobs_engine.tenant_queue($1) as queue`, [fx.tenants.acme]);
    assert.equal(job.queue_name, queue);
    const key = { tenantId: fx.tenants.acme, alertId, ruleTenantId: fx.tenants.acme, ruleId: rule.id };
    const due = new Date(new Date(created.created_at).getTime() + 15 * 60_000);
    assert.equal(await escalateAlert(key, new Date(due.getTime() - 1000)), "not-due");
    assert.equal(await escalateAlert(key, new Date(due.getTime() + 1000)), "escalated");
    assert.equal(await escalateAlert(key, new Date(due.getTime() + 2000)), "done-before");
    const [esc] = await owner<{ assigned_to: string }>(`select assigned_to from public.alerts where id = $1`, [alertId]);
    assert.equal(esc.assigned_to, fx.users.acmeAdmin);
    await runJobs();
    const m = await smtp.waitFor((x) => x.to === "oncall@acme.test");
    assert.match(m.subject, /\[CRITICAL\] Escalated: Ransomware on prod-db-1/);

    // An acknowledged alert is not escalated, even when its job runs (made due now, as graphile would at run_at).
    const acked = await insertAlert(fx.tenants.acme, { title: "Beacon on prod-app", severity: "high", hostname: "prod-app" });
    await runJobs();
    await as("acmeAnalyst", (tx) => tx.client.query(`update public.alerts set status = 'acknowledged' where id = $1`, [acked]));
    // Twenty minutes pass: the alert arrived earlier, and graphile-worker's run_at has come.
    await owner(`update public.alerts set created_at = created_at - interval '20 minutes' where id = $1`, [acked]);
    await owner(`update graphile_worker._private_jobs set run_at = now() where key = $1`, [`workflows:escalate:${acked}:${rule.id}`]);
    await runJobs();
    const [ack] = await owner<{ assigned_to: string; outcome: string }>(
      `select a.assigned_to, r.outcome from public.alerts a join public.workflow_rule_runs r on r.alert_id = a.id and r.stage = 'escalation' where a.id = $1`,
      [acked],
    );
    assert.deepEqual(ack, { assigned_to: fx.users.acmeAnalyst, outcome: "skipped" });
    await owner(`delete from public.workflow_rules where id = $1`, [rule.id]);
  });

  test("a rule's assignment leaves alone an alert a person took before the rule ran", async () => {
    const rule = await as("acmeAdmin", (tx) =>
      createRule(tx, { tenantId: fx.tenants.acme, name: unique("Assign prod"), position: 1, enabled: true, definition: definition({ actions: { notify: [], assignTo: fx.users.acmeAdmin } }) }),
    );
    const alertId = await insertAlert(fx.tenants.acme, { title: "Dropper on prod-mail", severity: "critical", hostname: "prod-mail" });
    // The evaluation is queued; an analyst acknowledges and takes the alert first (a backlog).
    await as("acmeAnalyst", (tx) => tx.client.query(`update public.alerts set status = 'acknowledged', assigned_to = $2 where id = $1`, [alertId, fx.users.acmeAnalyst]));
    await runJobs();
    const [row] = await owner<{ assigned_to: string }>(`select assigned_to from public.alerts where id = $1`, [alertId]);
    assert.equal(row.assigned_to, fx.users.acmeAnalyst, "the person's assignee stands");
    const [run] = await owner<{ actions: { action: string; result: string }[] }>(`select actions from public.workflow_rule_runs where alert_id = $1 and rule_id = $2 and stage = 'match'`, [alertId, rule.id]);
    assert.deepEqual(run.actions.filter((r) => r.action === "assign").map((r) => r.result), ["skipped"]);
    await as("acmeAdmin", (tx) => setRuleEnabled(tx, fx.tenants.acme, rule.id, false));
  });

  test("an escalation whose rule's delay was raised after it was queued is queued again for the new time, not failed", async () => {
    const rule = await as("acmeAdmin", (tx) =>
      createRule(tx, {
        tenantId: fx.tenants.acme,
        name: unique("Escalate prod"),
        position: 1,
        enabled: true,
        definition: definition({ actions: { notify: [], assignTo: fx.users.acmeAnalyst }, escalation: { afterMinutes: 15, assignTo: fx.users.acmeAdmin, notify: [] } }),
      }),
    );
    const alertId = await insertAlert(fx.tenants.acme, { title: "Miner on prod-batch", severity: "high", hostname: "prod-batch" });
    await runJobs();
    const jobKey = `workflows:escalate:${alertId}:${rule.id}`;
    const [created] = await owner<{ created_at: Date }>(`select created_at from public.alerts where id = $1`, [alertId]);
    const at = (minutes: number) => new Date(new Date(created.created_at).getTime() + minutes * 60_000);
    // The admin raises the delay to an hour; the queued job still runs at +15 min.
    await as("acmeAdmin", (tx) =>
      updateRule(tx, rule.id, {
        tenantId: fx.tenants.acme,
        name: rule.name,
        position: 1,
        enabled: true,
        definition: definition({ actions: { notify: [], assignTo: fx.users.acmeAnalyst }, escalation: { afterMinutes: 60, assignTo: fx.users.acmeAdmin, notify: [] } }),
      }),
    );
    const key = { tenantId: fx.tenants.acme, alertId, ruleTenantId: fx.tenants.acme, ruleId: rule.id };
    assert.equal(await escalateAlert(key, at(15)), "not-due");
    const [job] = await owner<{ run_at: Date }>(`select run_at from graphile_worker.jobs where key = $1`, [jobKey]);
    assert.equal(new Date(job.run_at).getTime(), at(60).getTime(), "queued again for the new time");
    assert.equal(await escalateAlert(key, at(61)), "escalated");
    await as("acmeAdmin", (tx) => setRuleEnabled(tx, fx.tenants.acme, rule.id, false));
  });

  test("an escalation whose rule's delay was lowered after it was queued runs at the new, earlier time", async () => {
    const define = (afterMinutes: number) => definition({ actions: { notify: [], assignTo: fx.users.acmeAnalyst }, escalation: { afterMinutes, assignTo: fx.users.acmeAdmin, notify: [] } });
    const rule = await as("acmeAdmin", (tx) => createRule(tx, { tenantId: fx.tenants.acme, name: unique("Escalate prod"), position: 1, enabled: true, definition: define(60) }));
    const alertId = await insertAlert(fx.tenants.acme, { title: "Beacon on prod-edge", severity: "high", hostname: "prod-edge" });
    await runJobs();
    const jobKey = `workflows:escalate:${alertId}:${rule.id}`;
    const [created] = await owner<{ created_at: Date }>(`select created_at from public.alerts where id = $1`, [alertId]);
    const at = (minutes: number) => new Date(new Date(created.created_at).getTime() + minutes * 60_000);
    const runAt = async () => new Date((await owner<{ run_at: Date }>(`select run_at from graphile_worker.jobs where key = $1`, [jobKey]))[0].run_at).getTime();
    assert.equal(await runAt(), at(60).getTime(), "queued at arrival + 60 min");
    // Renaming the rule moves nothing; raising the delay neither (the job re-queues itself when it runs).
    await as("acmeAdmin", (tx) => updateRule(tx, rule.id, { tenantId: fx.tenants.acme, name: `${rule.name} (renamed)`, position: 1, enabled: true, definition: define(60) }));
    assert.equal(await runAt(), at(60).getTime());
    // The admin lowers it to 15 minutes: the waiting job is due now, runs, and waits for arrival + 15 min.
    await as("acmeAdmin", (tx) => updateRule(tx, rule.id, { tenantId: fx.tenants.acme, name: rule.name, position: 1, enabled: true, definition: define(15) }));
    assert.ok((await runAt()) <= Date.now(), "the waiting job is due now");
    await runJobs();
    assert.equal(await runAt(), at(15).getTime(), "queued again for arrival + 15 min");
    const key = { tenantId: fx.tenants.acme, alertId, ruleTenantId: fx.tenants.acme, ruleId: rule.id };
    assert.equal(await escalateAlert(key, at(16)), "escalated");
    await as("acmeAdmin", (tx) => setRuleEnabled(tx, fx.tenants.acme, rule.id, false));
  });

  test("a failing channel is retried with backoff, then marked failed; a test send by email reaches the SMTP server", async () => {
    const hook = await as("acmeAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants.acme, name: unique("flaky"), kind: "webhook", url: "https://hooks.example.com/flaky" }));
    const { queueNotification } = await import("@/lib/notify");
    const [id] = await as("acmeAdmin", (tx) =>
      queueNotification(tx.db, { channel: { tenantId: fx.tenants.acme, id: hook.channel.id, kind: "webhook", recipients: [], tenantName: "Acme" }, reason: "test" }),
    );
    await owner(`update public.notification_deliveries set max_attempts = 3 where id = $1`, [id]);
    await owner(`update graphile_worker._private_jobs set max_attempts = 3 where key = $1`, [`notify:${id}`]);
    answer = 503;
    await runJobs();
    const [first] = await owner<{ status: string; attempts: number }>(`select status, attempts from public.notification_deliveries where id = $1`, [id]);
    assert.deepEqual(first, { status: "queued", attempts: 1 });
    const [job] = await owner<{ later: boolean }>(`select run_at > now() as later from graphile_worker.jobs where key = $1`, [`notify:${id}`]);
    assert.equal(job.later, true, "the retry waits for graphile-worker's backoff");
    for (let i = 0; i < 2; i++) {
      await owner(`update graphile_worker._private_jobs set run_at = now() where key = $1`, [`notify:${id}`]);
      await runJobs();
    }
    const [last] = await owner<{ status: string; attempts: number; last_error: string }>(`select status, attempts, last_error from public.notification_deliveries where id = $1`, [id]);
    assert.deepEqual(last, { status: "failed", attempts: 3, last_error: "the receiver answered 503" });
    const attempts = await owner<{ outcome: string }>(`select outcome from public.notification_attempts where delivery_id = $1 order by attempt`, [id]);
    assert.deepEqual(attempts.map((a) => a.outcome), ["retrying", "retrying", "failed"]);
    assert.equal(received.length, 3);

    const mail = await as("acmeAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants.acme, name: unique("mail"), kind: "email", recipients: ["soc@acme.test"] }));
    await as("acmeAdmin", (tx) =>
      queueNotification(tx.db, { channel: { tenantId: fx.tenants.acme, id: mail.channel.id, kind: "email", recipients: ["soc@acme.test"], tenantName: "Acme" }, reason: "test" }),
    );
    await runJobs();
    const got = await smtp.waitFor((x) => x.to === "soc@acme.test");
    assert.match(got.subject, /Test notification/);
    const listed = await as("acmeAdmin", (tx) => recentDeliveries(tx, fx.tenants.acme));
    assert.equal(listed.find((d) => d.channelId === mail.channel.id)?.status, "delivered");
  });

  test("at send time, a host that resolves to a private address is refused by the outbound guard", async () => {
    delete process.env.CONNECTOR_TEST_ENDPOINT;
    try {
      const hook = await as("acmeAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants.acme, name: unique("rebind"), kind: "webhook", url: "https://rebind.example.com/x" }));
      const { queueNotification } = await import("@/lib/notify");
      const [id] = await as("acmeAdmin", (tx) =>
        queueNotification(tx.db, { channel: { tenantId: fx.tenants.acme, id: hook.channel.id, kind: "webhook", recipients: [], tenantName: "Acme" }, reason: "test" }),
      );
      await owner(`update public.notification_deliveries set max_attempts = 1 where id = $1`, [id]);
      const outcome = await deliverWebhook(fx.tenants.acme, id, { resolve: async () => [{ address: "127.0.0.1", family: 4 }], allows: PUBLIC_ADDRESSES_ONLY.allows });
      assert.equal(outcome, "failed");
      const [row] = await owner<{ last_error: string }>(`select last_error from public.notification_deliveries where id = $1`, [id]);
      assert.match(row.last_error, /not public \(refused\)/);
      assert.equal(received.length, 0);
    } finally {
      process.env.CONNECTOR_TEST_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    }
  });
});

describe("dry run", () => {
  test("counts what each rule (own and inherited) would have matched in the last 7 days, with samples, and changes nothing", async () => {
    const tenant = fx.tenants["acme-eu"];
    const ids = [
      await insertAlert(tenant, { title: "dry crit prod", severity: "critical", hostname: "prod-1" }),
      await insertAlert(tenant, { title: "dry high prod", severity: "high", hostname: "prod-2", minutesAgo: 60 * 24 * 3 }),
      await insertAlert(tenant, { title: "dry old", severity: "critical", hostname: "prod-3", minutesAgo: 60 * 24 * 8 }),
      await insertAlert(tenant, { title: "dry medium", severity: "medium", hostname: "prod-4" }),
    ];
    const rule = await as("acmeEuAdmin", (tx) =>
      createRule(tx, { tenantId: tenant, name: unique("EU prod"), position: 1, enabled: false, definition: definition({ actions: { assignTo: fx.users.acmeEuAdmin, notify: [] } }) }),
    );
    await as("acmeEuAdmin", (tx) => setRuleEnabled(tx, tenant, rule.id, true));
    const result = await as("acmeEuAdmin", (tx) => dryRun(tx, tenant));
    const mine = result.rules.find((r) => r.rule.id === rule.id)!;
    assert.equal(mine.matched, 2, "critical and high on prod, within 7 days");
    assert.deepEqual(mine.samples.map((s) => s.title).sort(), ["dry crit prod", "dry high prod"]);
    assert.match(mine.conditions, /severity is at least high and host name contains prod/);
    assert.deepEqual(mine.wouldDo, ["assign to a member"]);
    const assigned = await owner(`select 1 from public.alerts where id = any ($1::uuid[]) and assigned_to is not null`, [ids]);
    assert.equal(assigned.length, 0, "the dry run changed nothing");
    await owner(`delete from public.workflow_rules where id = $1`, [rule.id]);
  });
});

describe("notify the tenant's default recipients (settings registry)", () => {
  test("resolved when the rule runs, inherited down the tree: the MSSP's default webhook and Acme's default address; a foreign channel id is skipped", async () => {
    const { setSettingValue } = await import("@/lib/settings");
    const msspHook = await as("msspAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants["mssp-a"], name: unique("MSSP SOC"), kind: "webhook", url: "https://hooks.example.com/mssp/soc" }));
    const globexHook = await as("globexAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants.globex, name: unique("Globex"), kind: "webhook", url: "https://hooks.example.com/globex" }));
    // An email channel of the MSSP's own: its id is not a webhook's, so naming it there mails no one.
    const msspMail = await as("msspAdmin", (tx) => createChannel(tx, { tenantId: fx.tenants["mssp-a"], name: unique("MSSP mail"), kind: "email", recipients: ["not-a-webhook@mssp.test"] }));
    // The MSSP's default webhooks name its own channel and (wrongly) Globex's and its own email channel; Acme sets its own addresses.
    await as("msspAdmin", (tx) =>
      setSettingValue(tx, { tenantId: fx.tenants["mssp-a"], key: "notifications.webhook_ids", raw: `${msspHook.channel.id}\n${globexHook.channel.id}\n${msspMail.channel.id}` }),
    );
    await as("acmeAdmin", (tx) => setSettingValue(tx, { tenantId: fx.tenants.acme, key: "notifications.emails", raw: "defaults@acme.test" }));
    const rule = await as("acmeAdmin", (tx) =>
      createRule(tx, {
        tenantId: fx.tenants.acme,
        name: unique("Defaults"),
        position: 1,
        enabled: true,
        definition: definition({ conditions: [{ field: "title", op: "contains", value: "defaults-probe" }], actions: { notify: [], notifyDefaults: true } }),
      }),
    );
    // Below Acme: acme-eu inherits Acme's addresses and the MSSP's webhooks.
    const alertId = await insertAlert(fx.tenants["acme-eu"], { title: "defaults-probe on eu", severity: "high" });
    await runJobs();

    const hooks = received.filter((r) => r.path.startsWith("/webhook/"));
    assert.deepEqual(hooks.map((r) => r.path), ["/webhook/mssp/soc"], "the MSSP's channel only, never Globex's");
    const r = hooks[0];
    assert.deepEqual(verifySignature(msspHook.secret!, { timestamp: r.headers["x-portal-timestamp"] as string, signature: r.headers["x-portal-signature"] as string }, r.body), { ok: true });
    assert.equal(JSON.parse(r.body).alert.id, alertId);
    const mail = await smtp.waitFor((x) => x.to === "defaults@acme.test");
    assert.match(mail.subject, /\[HIGH\] defaults-probe on eu/);
    const [audit] = await owner<{ outcome: string; details: { defaults: boolean; skipped: string[]; emails: number; channels: string[] } }>(
      `select outcome, details from public.audit_log where target_id = $1 and action = 'alert.notified'`,
      [alertId],
    );
    assert.equal(audit.outcome, "failure", "a skipped default is reported");
    assert.deepEqual([audit.details.defaults, audit.details.skipped, audit.details.emails, audit.details.channels], [true, [globexHook.channel.id, msspMail.channel.id], 1, [msspHook.channel.id]]);
    assert.equal(smtp.messages.filter((x) => x.to === "not-a-webhook@mssp.test").length, 0, "an email channel named as a webhook mails no one");

    // Read at run time: Acme now overrides the webhooks with none; no rule is edited.
    await as("acmeAdmin", (tx) => setSettingValue(tx, { tenantId: fx.tenants.acme, key: "notifications.webhook_ids", raw: "" }));
    received = [];
    smtp.clear();
    await insertAlert(fx.tenants.acme, { title: "defaults-probe again", severity: "low" });
    await runJobs();
    assert.deepEqual(received, []);
    await smtp.waitFor((x) => x.to === "defaults@acme.test");
    await owner(`delete from public.workflow_rules where id = $1`, [rule.id]);
    await owner(`delete from public.tenant_settings where key like 'notifications.%'`);
  });

  test("the dry run says so, and the editor's form round-trips such a rule (Edit on the page)", async () => {
    const { definitionFromForm } = await import("@/lib/actions/workflows/schemas");
    const { formValuesOf } = await import("@/lib/rules/form-values");
    const rule = await as("acmeAdmin", (tx) =>
      createRule(tx, {
        tenantId: fx.tenants.acme,
        name: unique("Round trip"),
        position: 7,
        enabled: true,
        definition: definition({ match: "any", actions: { assignTo: fx.users.acmeAnalyst, notify: [], notifyDefaults: true }, escalation: { afterMinutes: 30, notify: [], notifyDefaults: true } }),
      }),
    );
    const dry = await as("acmeAdmin", (tx) => dryRun(tx, fx.tenants.acme));
    const mine = dry.rules.find((r) => r.rule.id === rule.id)!;
    assert.deepEqual(mine.wouldDo, ["assign to a member", "notify the default recipients", "after 30 min unacknowledged: notify the default recipients"]);
    const v = formValuesOf(rule)!;
    assert.deepEqual([v.name, v.position, v.match, v.assignTo, v.notifyDefaults, v.escalateAfter, v.escalateNotifyDefaults], [rule.name, 7, "any", fx.users.acmeAnalyst, true, "30", true]);
    const form: Record<string, unknown> = { ...v, notify: undefined, escalateNotify: undefined, escalateAssignTo: undefined };
    v.conditions.forEach((c, i) => Object.assign(form, { [`cond${i}_field`]: c.field, [`cond${i}_op`]: c.op, [`cond${i}_value`]: c.value }));
    const again = parseDefinition(definitionFromForm(form));
    assert.ok(again.ok);
    assert.deepEqual(again.definition, rule.definition, "saving the editor unchanged keeps the rule as it was");
    // Inherited rules are not offered for editing below.
    const below = await as("acmeEuAdmin", (tx) => rulesFor(tx, fx.tenants["acme-eu"]));
    assert.equal(formValuesOf(below.find((r) => r.id === rule.id)!), null);
    await owner(`delete from public.workflow_rules where id = $1`, [rule.id]);
  });
});
