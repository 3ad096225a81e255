// A rule does not undo a person's triage (docs/workflows.md, "Evaluation"):
// when the evaluation of a new alert runs after someone took it (a backlog),
// neither the rule's person nor its group is given; both are recorded as
// skipped in the rule's run. Taken: acknowledged or further, or given to a
// person or a group. Against a real Postgres, the real engine and the triage
// path a person uses (lib/alerts/triage.ts under withTenant).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { triageAlert } from "@/lib/alerts/triage";
import { withTenant } from "@/lib/db/with-tenant";
import { createRule } from "@/lib/rules";
import { evaluateAlert } from "@/lib/rules/engine";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let ruleGroup: string;
let personsGroup: string;
let ruleId: string;

before(async () => {
  process.env.NEXTAUTH_SECRET = "workflows-taken-test-secret";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  // Groups without members: nobody is mailed.
  ruleGroup = await group("Rule's group");
  personsGroup = await group("Night shift");
  const rule = await withTenant({ userId: fx.users.acmeAdmin }, (tx) =>
    createRule(tx, {
      tenantId: fx.tenants.acme,
      name: "Critical to the on-call group",
      position: 1,
      enabled: true,
      definition: { match: "all", conditions: [{ field: "severity", op: "is", value: "critical" }], actions: { assignTo: fx.users.acmeAnalyst, assignGroup: ruleGroup, notify: [] } },
    }),
  );
  ruleId = rule.id;
});
after(() => db.drop());

const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);

async function group(name: string): Promise<string> {
  const [g] = await owner<{ id: string }>(`insert into public.assignee_groups (tenant_id, name) values ($1, $2) returning id`, [fx.tenants.acme, name]);
  return g.id;
}

async function arrives(title: string): Promise<string> {
  const [row] = await owner<{ id: string }>(
    `insert into public.alerts (tenant_id, title, severity, source, hostname) values ($1, $2, 'critical', 'edr', 'prod-1') returning id`,
    [fx.tenants.acme, title],
  );
  return row.id;
}

const stateOf = async (alertId: string) =>
  (await owner<{ status: string; assigned_to: string | null; assigned_group_id: string | null }>(`select status, assigned_to, assigned_group_id from public.alerts where id = $1`, [alertId]))[0];

const runOf = async (alertId: string) =>
  (await owner<{ outcome: string; actions: { action: string; result: string; message: string }[] }>(
    `select outcome, actions from public.workflow_rule_runs where alert_id = $1 and rule_id = $2 and stage = 'match'`,
    [alertId, ruleId],
  ))[0];

test("untaken: the rule gives the alert to its person and its group", async () => {
  const id = await arrives("untaken");
  await evaluateAlert(fx.tenants.acme, id);
  assert.deepEqual(await stateOf(id), { status: "new", assigned_to: fx.users.acmeAnalyst, assigned_group_id: ruleGroup });
  assert.deepEqual((await runOf(id)).actions.filter((a) => a.action === "assign").map((a) => a.result), ["done", "done"]);
});

test("a person assigned first: their assignee stays and the rule's group is not given either", async () => {
  const id = await arrives("assigned by a person");
  await withTenant({ userId: fx.users.acmeAdmin }, (tx) => triageAlert(tx, fx.tenants.acme, id, { kind: "assign", assigneeId: fx.users.acmeAdmin }));
  await evaluateAlert(fx.tenants.acme, id);
  assert.deepEqual(await stateOf(id), { status: "new", assigned_to: fx.users.acmeAdmin, assigned_group_id: null });
  const run = await runOf(id);
  assert.equal(run.outcome, "applied");
  assert.deepEqual(run.actions.filter((a) => a.action === "assign").map((a) => `${a.result}: ${a.message}`), [
    "skipped: already taken by a person: left as it is",
    "skipped: already taken by a person: left as it is",
  ]);
});

test("a person gave it a group first: their group stays", async () => {
  const id = await arrives("grouped by a person");
  await withTenant({ userId: fx.users.acmeAdmin }, (tx) => triageAlert(tx, fx.tenants.acme, id, { kind: "group", group: { tenantId: fx.tenants.acme, id: personsGroup } }));
  await evaluateAlert(fx.tenants.acme, id);
  assert.deepEqual(await stateOf(id), { status: "new", assigned_to: null, assigned_group_id: personsGroup });
  assert.deepEqual((await runOf(id)).actions.filter((a) => a.action === "assign").map((a) => a.result), ["skipped", "skipped"]);
});

test("acknowledged first, nobody assigned: the rule's group is not given", async () => {
  const id = await arrives("acknowledged by a person");
  await withTenant({ userId: fx.users.acmeAnalyst }, (tx) => triageAlert(tx, fx.tenants.acme, id, { kind: "status", change: { to: "acknowledged" } }));
  await evaluateAlert(fx.tenants.acme, id);
  assert.deepEqual(await stateOf(id), { status: "acknowledged", assigned_to: null, assigned_group_id: null });
  assert.deepEqual((await runOf(id)).actions.filter((a) => a.action === "assign").map((a) => a.result), ["skipped", "skipped"]);
});
