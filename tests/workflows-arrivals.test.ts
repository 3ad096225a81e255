// Routing rules act on alerts that arrive (status new, detected within the
// last 24 hours), not on alerts that come back through a restore, an import
// or a bulk load (migration 20261201004000). Against a real Postgres with
// graphile-worker's queue installed: what the alerts trigger queues.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

const queued = (alertIds: string[]) =>
  withClient(db.url, async (c) =>
    (await c.query<{ key: string }>(`select key from graphile_worker.jobs where key = any ($1::text[]) order by key`, [alertIds.map((id) => `workflows:evaluate:${id}`)])).rows.map((r) => r.key),
  );

test("a new alert is queued for evaluation; a restored, triaged or old one is not", async () => {
  const ids = await withClient(db.url, async (c) => {
    await c.query(`insert into public.workflow_rules (tenant_id, name, definition) values ($1, 'route', '{"when": {"all": []}}')`, [fx.tenants.acme]);
    const insert = (status: string, detected: string) =>
      c.query<{ id: string }>(
        `insert into public.alerts (tenant_id, title, severity, status, source, detected_at, resolved_at)
         values ($1, 'probe', 'critical', $2, 'test', now() - $3::interval, case when $2 in ('resolved', 'false_positive') then now() else null end)
         returning id`,
        [fx.tenants.acme, status, detected],
      ).then((r) => r.rows[0].id);
    return {
      fresh: await insert("new", "1 minute"),
      resolved: await insert("resolved", "1 minute"),
      old: await insert("new", "3 days"),
    };
  });
  const keys = await queued([ids.fresh, ids.resolved, ids.old]);
  assert.deepEqual(keys, [`workflows:evaluate:${ids.fresh}`], "control: the arrival is queued; the others are not");
});

test("a rule written on a connection that keeps empty claims (a pooled one after withTenant) records its history with no actor", async () => {
  await withClient(db.url, async (c) => {
    await c.query(`select set_config('request.jwt.claims', '', false)`);
    const { rows } = await c.query<{ id: string }>(`insert into public.workflow_rules (tenant_id, name, definition) values ($1, 'empty-claims', '{"when": {"all": []}}') returning id`, [fx.tenants.globex]);
    const history = await c.query(`select change, changed_by from public.workflow_rule_versions where rule_id = $1`, [rows[0].id]);
    assert.deepEqual(history.rows, [{ change: "created", changed_by: null }]);
  });
});
