// At most RULES_PER_TENANT (200) workflow rules per tenant (migration
// 20261201029420): the next one is refused by the database, and createRule
// (the editor's save) says so in a sentence with nothing saved; rules of other
// tenants, inherited ones included, do not count; and two saves racing for the
// last place take turns (the advisory lock), so only one gets it.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, test } from "node:test";
import { ActionRefusal } from "@/lib/actions/refusal";
import { withTenant } from "@/lib/db/with-tenant";
import { createRule, RULES_PER_TENANT } from "@/lib/rules";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
const countOf = async (slug: TenantSlug) => (await owner<{ n: number }>(`select count(*)::int as n from public.workflow_rules where tenant_id = $1`, [fx.tenants[slug]]))[0].n;
let n = 0;
const DEFINITION = { match: "all", conditions: [{ field: "severity", op: "is", value: "critical" }], actions: { notify: [], notifyDefaults: true } };
const save = (user: UserName, slug: TenantSlug) =>
  withTenant({ userId: fx.users[user] }, (tx) => createRule(tx, { tenantId: fx.tenants[slug], name: `rule ${++n}`, position: 1, enabled: true, definition: DEFINITION }));
const isLimit = (e: unknown) =>
  e instanceof ActionRefusal && e.message === "This tenant already has 200 rules, the most it may have. Delete one it no longer needs first; nothing was changed.";

test(`the ${RULES_PER_TENANT}th rule is saved; the next is refused with a sentence, nothing saved; other tenants are not affected`, async () => {
  assert.equal(RULES_PER_TENANT, 200);
  // An MSSP rule above acme: inherited there, not counted there.
  await save("msspAdmin", "mssp-a");
  await owner(
    `insert into public.workflow_rules (tenant_id, name, definition) select $1, 'filler ' || g, '{"when": {"all": []}}' from generate_series(1, $2::int) g`,
    [fx.tenants.acme, RULES_PER_TENANT - 1],
  );
  await save("acmeAdmin", "acme");
  assert.equal(await countOf("acme"), RULES_PER_TENANT);
  await assert.rejects(save("acmeAdmin", "acme"), isLimit);
  await assert.rejects(save("msspAdmin", "acme"), isLimit, "the MSSP's admin saving at acme too");
  assert.equal(await countOf("acme"), RULES_PER_TENANT);
  // The owner is refused as well: the database holds the limit, not the form.
  await assert.rejects(owner(`insert into public.workflow_rules (tenant_id, name, definition) values ($1, 'one more', '{}')`, [fx.tenants.acme]), /already has 200 workflow rules/);
  // A site below and the MSSP above keep their own room.
  await save("acmeAdmin", "acme-eu");
  await save("msspAdmin", "mssp-a");
  assert.deepEqual([await countOf("acme-eu"), await countOf("mssp-a")], [1, 2]);
});

test("two saves racing for the last place: the second waits for the first, then is refused", async () => {
  await owner(`delete from public.workflow_rules where tenant_id = $1 and name = 'filler 1'`, [fx.tenants.acme]);
  assert.equal(await countOf("acme"), RULES_PER_TENANT - 1);
  let second: Promise<unknown> | undefined;
  let secondSettled = false;
  await withTenant({ userId: fx.users.acmeAdmin }, async (tx) => {
    await createRule(tx, { tenantId: fx.tenants.acme, name: "first", position: 1, enabled: true, definition: DEFINITION });
    // The other admin's save starts while this transaction still holds the tenant's rule lock.
    second = save("acmeAdmin", "acme").finally(() => (secondSettled = true));
    second.catch(() => undefined);
    await sleep(500);
    assert.equal(secondSettled, false, "the second save waits for the first transaction");
  });
  await assert.rejects(second!, isLimit);
  assert.equal(await countOf("acme"), RULES_PER_TENANT);
});
