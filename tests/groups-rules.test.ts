// "Assign to group" in workflow rules (issue 10 item 4), against a real
// Postgres, the real job engine and a real SMTP server: the language and the
// store refuse an unknown or foreign group (nothing saved); a rule of the
// MSSP may name the MSSP's group for every customer; the engine gives a new
// alert to the group through the triage path (timeline, audit row naming the
// rule) and mails the group's members through the outbox, on arrival and on
// escalation; the dry run says "assign to group <name>"; the editor's form
// round-trips a group.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { runJobsUntilIdle } from "@/lib/jobs";
import { MAIL_TASK, registerMailDelivery } from "@/lib/mail/deliver";
import { ActionRefusal } from "@/lib/actions/refusal";
import { createRule, parseDefinition, updateRule } from "@/lib/rules";
import { ESCALATE_TASK, EVALUATE_TASK, escalateAlert, registerWorkflowTasks } from "@/lib/rules/engine";
import { loadWorkflowsPage } from "@/lib/rules/page-data";
import { formValuesOf } from "@/lib/rules/form-values";
import { createRuleSchema, ruleInputOf } from "@/lib/actions/workflows/schemas";
import { insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { startSmtpServer, useSmtp, type TestSmtpServer } from "./helpers/smtp";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let smtp: TestSmtpServer;

before(async () => {
  process.env.NEXTAUTH_SECRET = "groups-rules-test-secret";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  smtp = await startSmtpServer();
  useSmtp(smtp);
  registerMailDelivery();
  registerWorkflowTasks();
});
after(async () => {
  await smtp.stop();
  await db.drop();
});
beforeEach(() => smtp.clear());

const as = <T>(user: UserName, fn: (tx: TenantTx) => Promise<T>) => withTenant({ userId: fx.users[user] }, fn);
const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
const runJobs = () => runJobsUntilIdle({ kinds: [EVALUATE_TASK, MAIL_TASK, ESCALATE_TASK] });
let n = 0;
const unique = (p: string) => `${p} ${++n}`;

async function group(tenant: string, name: string, members: string[]): Promise<string> {
  const [g] = await owner<{ id: string }>(`insert into public.assignee_groups (tenant_id, name) values ($1, $2) returning id`, [tenant, name]);
  for (const m of members) await owner(`insert into public.assignee_group_members (tenant_id, group_id, user_id) values ($1, $2, $3)`, [tenant, g.id, m]);
  return g.id;
}

async function insertAlert(tenant: string, title: string, severity: string, minutesAgo = 0): Promise<string> {
  const [row] = await owner<{ id: string }>(
    `insert into public.alerts (tenant_id, title, severity, source, hostname, created_at, detected_at)
     values ($1, $2, $3, 'crowdstrike', 'prod-1', now() - make_interval(mins => $4), now() - make_interval(mins => $4)) returning id`,
    [tenant, title, severity, minutesAgo],
  );
  return row.id;
}

const critical = (actions: Record<string, unknown>, escalation?: Record<string, unknown>) => ({
  match: "all",
  conditions: [{ field: "severity", op: "is", value: "critical" }],
  actions: { notify: [], ...actions },
  ...(escalation ? { escalation: { notify: [], ...escalation } } : {}),
});

const emailOf = async (user: UserName) => (await owner<{ email: string }>(`select email from public.users where id = $1`, [fx.users[user]]))[0].email;

describe("validation", () => {
  test("the language refuses a group that is not an id; the store refuses another tenant's group or one below, nothing saved, with a sentence", async () => {
    const bad = parseDefinition(critical({ assignGroup: "Tier 1 SOC" }));
    assert.equal(bad.ok, false);
    assert.match((bad as { errors: string[] }).errors.join(), /actions\.assignGroup: Pick a group from the list/);
    const globexGroup = await group(fx.tenants.globex, unique("Globex on-call"), []);
    const siteGroup = await group(fx.tenants["acme-eu"], unique("EU night shift"), []);
    for (const [where, g] of [["actions", globexGroup], ["escalation", siteGroup]] as const) {
      const name = unique("foreign group");
      const definition = where === "actions" ? critical({ assignGroup: g }) : critical({ assignTo: fx.users.acmeAnalyst }, { afterMinutes: 5, assignGroup: g });
      await assert.rejects(
        as("acmeAdmin", (tx) => createRule(tx, { tenantId: fx.tenants.acme, name, position: 1, enabled: true, definition })),
        (e) => e instanceof ActionRefusal && /not one of this tenant's groups or an inherited one/.test(e.message) && e.details?.field === "group",
      );
      assert.equal((await owner(`select 1 from public.workflow_rules where name = $1`, [name])).length, 0, "nothing saved");
    }
    // A group that does not exist at all reads the same.
    await assert.rejects(
      as("acmeAdmin", (tx) => createRule(tx, { tenantId: fx.tenants.acme, name: unique("ghost"), position: 1, enabled: true, definition: critical({ assignGroup: "00000000-0000-4000-8000-000000000000" }) })),
      /not one of this tenant's groups/,
    );
  });

  test("the editor's form: a group alone makes a rule; the form round-trips it on Edit", async () => {
    const g = await group(fx.tenants.acme, unique("Acme on-call"), []);
    const form = createRuleSchema.safeParse({
      tenantId: fx.tenants.acme, name: unique("form"), position: "5", enabled: "on", match: "all",
      cond0_field: "severity", cond0_op: "is", cond0_value: "critical", assignGroup: g, escalateAfter: "10", escalateAssignGroup: g,
    });
    assert.ok(form.success, JSON.stringify(!form.success && form.error.issues));
    const rule = await as("acmeAdmin", (tx) => createRule(tx, ruleInputOf(form.data)));
    const values = formValuesOf(rule)!;
    assert.deepEqual([values.assignGroup, values.escalateAssignGroup, values.assignTo], [g, g, ""]);
    const badForm = createRuleSchema.safeParse({ tenantId: fx.tenants.acme, name: "x", cond0_field: "severity", cond0_op: "is", cond0_value: "critical", assignGroup: "tier-1" });
    assert.equal(badForm.success, false);
    assert.ok(!badForm.success && badForm.error.issues.some((i) => i.path[0] === "assignGroup"));
    await owner(`delete from public.workflow_rules where id = $1`, [rule.id]);
  });
});

describe("evaluation", () => {
  test("on arrival: the MSSP's rule gives a customer's critical alert to the MSSP's group; members are mailed; timeline and audit name the rule; the low one is untouched", async () => {
    const tier1 = await group(fx.tenants["mssp-a"], unique("Tier 1 SOC"), [fx.users.msspAnalyst, fx.users.msspAdmin]);
    const rule = await as("msspAdmin", (tx) =>
      createRule(tx, { tenantId: fx.tenants["mssp-a"], name: unique("Critical to Tier 1"), position: 1, enabled: true, definition: critical({ assignGroup: tier1 }) }),
    );
    const alertId = await insertAlert(fx.tenants["acme-eu"], "Ransomware on prod-1", "critical");
    const quiet = await insertAlert(fx.tenants["acme-eu"], "Port scan", "low");
    await runJobs();
    const [a] = await owner<{ assigned_group_tenant_id: string; assigned_group_id: string }>(`select assigned_group_tenant_id, assigned_group_id from public.alerts where id = $1`, [alertId]);
    assert.deepEqual(a, { assigned_group_tenant_id: fx.tenants["mssp-a"], assigned_group_id: tier1 });
    const [q] = await owner<{ assigned_group_id: string | null }>(`select assigned_group_id from public.alerts where id = $1`, [quiet]);
    assert.equal(q.assigned_group_id, null);
    const events = await owner<{ actor_id: string | null; to_group: string }>(`select actor_id, to_group from public.alert_events where alert_id = $1 and kind = 'group'`, [alertId]);
    assert.deepEqual(events, [{ actor_id: null, to_group: tier1 }]);
    const audit = await owner<{ actor_id: string | null; outcome: string; details: Record<string, unknown> }>(
      `select actor_id, outcome, details from public.audit_log where target_id = $1 and action = 'alert.assigned'`,
      [alertId],
    );
    assert.equal(audit.length, 1);
    assert.deepEqual([audit[0].actor_id, audit[0].outcome, audit[0].details.by_rule, audit[0].details.group, audit[0].details.mailed], [null, "success", rule.id, tier1, 2]);
    for (const user of ["msspAnalyst", "msspAdmin"] as const) {
      const to = await emailOf(user);
      const m = await smtp.waitFor((x) => x.to === to && /Ransomware on prod-1/.test(x.subject));
      assert.match(m.subject, /^\[CRITICAL\] Ransomware on prod-1/);
    }
    // Nobody outside the group got it.
    assert.equal(smtp.messages.filter((x) => /Ransomware on prod-1/.test(x.subject)).length, 2);
    await owner(`delete from public.workflow_rules where id = $1`, [rule.id]);
  });

  test("on escalation: an unacknowledged alert goes to the escalation group at its time; an acknowledged one does not", async () => {
    const oncall = await group(fx.tenants.acme, unique("Acme on-call"), [fx.users.acmeAdmin]);
    const rule = await as("acmeAdmin", (tx) =>
      createRule(tx, {
        tenantId: fx.tenants.acme,
        name: unique("Escalate to on-call"),
        position: 1,
        enabled: true,
        definition: critical({ assignTo: fx.users.acmeAnalyst }, { afterMinutes: 15, assignGroup: oncall }),
      }),
    );
    const alertId = await insertAlert(fx.tenants.acme, "Beacon from prod-1", "critical");
    const acked = await insertAlert(fx.tenants.acme, "Beacon from prod-2", "critical");
    await runJobs();
    const [before] = await owner<{ assigned_group_id: string | null; assigned_to: string }>(`select assigned_group_id, assigned_to from public.alerts where id = $1`, [alertId]);
    assert.deepEqual(before, { assigned_group_id: null, assigned_to: fx.users.acmeAnalyst }, "no group before the escalation");
    await as("acmeAnalyst", (tx) => tx.client.query(`update public.alerts set status = 'acknowledged' where id = $1`, [acked]));
    const [created] = await owner<{ created_at: Date }>(`select created_at from public.alerts where id = $1`, [alertId]);
    const due = new Date(new Date(created.created_at).getTime() + 15 * 60_000 + 1000);
    assert.equal(await escalateAlert({ tenantId: fx.tenants.acme, alertId, ruleTenantId: fx.tenants.acme, ruleId: rule.id }, new Date(due.getTime() - 2000)), "not-due");
    assert.equal(await escalateAlert({ tenantId: fx.tenants.acme, alertId, ruleTenantId: fx.tenants.acme, ruleId: rule.id }, due), "escalated");
    assert.equal(await escalateAlert({ tenantId: fx.tenants.acme, alertId: acked, ruleTenantId: fx.tenants.acme, ruleId: rule.id }, due), "acknowledged");
    const rows = await owner<{ id: string; assigned_group_id: string | null }>(`select id, assigned_group_id from public.alerts where id = any ($1)`, [[alertId, acked]]);
    assert.equal(rows.find((r) => r.id === alertId)!.assigned_group_id, oncall);
    assert.equal(rows.find((r) => r.id === acked)!.assigned_group_id, null);
    await runJobs();
    const to = await emailOf("acmeAdmin");
    const m = await smtp.waitFor((x) => x.to === to && /Beacon from prod-1/.test(x.subject));
    assert.match(m.subject, /Escalated: Beacon from prod-1/);
    await owner(`delete from public.workflow_rules where id = $1`, [rule.id]);
  });

  test("a group deleted after the rule was saved: the rule's run says so, the alert keeps no group, the audit row is a failure", async () => {
    const doomed = await group(fx.tenants.acme, unique("Temporary"), []);
    const rule = await as("acmeAdmin", (tx) =>
      createRule(tx, { tenantId: fx.tenants.acme, name: unique("To a doomed group"), position: 1, enabled: true, definition: critical({ assignGroup: doomed }) }),
    );
    await owner(`delete from public.assignee_groups where id = $1`, [doomed]);
    const alertId = await insertAlert(fx.tenants.acme, "Lateral movement", "critical");
    await runJobs();
    const [run] = await owner<{ outcome: string; actions: { message: string }[] }>(`select outcome, actions from public.workflow_rule_runs where alert_id = $1 and rule_id = $2`, [alertId, rule.id]);
    assert.equal(run.outcome, "failed");
    assert.match(run.actions[0].message, /no longer exists/);
    const [audit] = await owner<{ outcome: string }>(`select outcome from public.audit_log where target_id = $1 and action = 'alert.assigned'`, [alertId]);
    assert.equal(audit.outcome, "failure");
    await owner(`delete from public.workflow_rules where id = $1`, [rule.id]);
  });
});

test("the dry run describes the group by name ('assign to group Tier 1 SOC'), for an inherited rule too; the page offers own and inherited groups", async () => {
  const name = unique("Tier 1 SOC");
  const tier1 = await group(fx.tenants["mssp-a"], name, [fx.users.msspAnalyst]);
  const rule = await as("msspAdmin", (tx) =>
    createRule(tx, { tenantId: fx.tenants["mssp-a"], name: unique("Dry"), position: 1, enabled: false, definition: critical({ assignGroup: tier1 }, { afterMinutes: 30, assignGroup: tier1 }) }),
  );
  await as("msspAdmin", (tx) => updateRule(tx, rule.id, { tenantId: fx.tenants["mssp-a"], name: rule.name, position: 1, enabled: true, definition: critical({ assignGroup: tier1 }, { afterMinutes: 30, assignGroup: tier1 }) }));
  const page = await as("acmeAdmin", (tx) => loadWorkflowsPage(tx, fx.tenants.acme, "Tenant acme"));
  const row = page.dryRun!.rules.find((r) => r.rule.id === rule.id)!;
  assert.equal(row.rule.inherited, true);
  assert.deepEqual(row.wouldDo, [`assign to group ${name}`, `after 30 min unacknowledged: assign to group ${name}`]);
  assert.ok(page.groups.some((g) => g.id === tier1 && g.inherited));
  await owner(`delete from public.workflow_rules where id = $1`, [rule.id]);
});
