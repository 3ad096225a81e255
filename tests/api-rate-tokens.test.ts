// The gateway's per-request rate-limit check (lib/api/gateway/limits.ts
// takeRequestTokens): one statement takes the key's token, then the
// tenant's only if the key's was there, then counts the request for usage
// only if both were. A refused key must not spend its tenant's budget (other
// keys of the tenant would pay for it), and a refused request is not billed.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { takeRequestTokens, type ApiLimits } from "@/lib/api/gateway/limits";
import { peek, perWindow } from "@/lib/ratelimit";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

const counted = async (tenantId: string) =>
  withClient(db.url, async (c) =>
    Number((await c.query<{ n: string }>("select coalesce(sum(requests), 0) as n from usage.api_request_counts where tenant_id = $1", [tenantId])).rows[0].n),
  );
const limits = (keyPerMinute: number, tenantPerMinute: number): ApiLimits => ({ keyPerMinute, tenantPerMinute, concurrent: 10, ingestPerDay: 1000 });

test("a key over its own limit is refused as 'key' and spends nothing of its tenant's bucket; only allowed requests are counted", async () => {
  const tenant = fx.tenants.acme;
  const key = randomUUID();
  // A tenant bucket of 6 refilling a token every 10 s: 2 paid leave 4 and a bit, 4 paid would leave 2
  // (however slow the machine: the takes' own time refills a tenth of a token a second).
  const l = limits(2, 6);
  const before = await counted(tenant);
  const outcomes = [];
  for (let i = 0; i < 4; i++) outcomes.push(await takeRequestTokens(tenant, key, l));
  assert.deepEqual(outcomes.map((o) => o.allowed), [true, true, false, false]);
  const refused = outcomes[2];
  assert.ok(!refused.allowed && refused.which === "key" && refused.retryAfter > 0);
  const tenantBucket = await peek(`api:tenant:${tenant}`, perWindow(6, 60));
  assert.ok(tenantBucket.remaining >= 3.99 && tenantBucket.remaining < 5, `the tenant paid for 2 requests, not 4: ${tenantBucket.remaining}`);
  assert.equal((await counted(tenant)) - before, 2);
});

test("a tenant over its limit is refused as 'tenant' for any of its keys, and the refusal is not counted", async () => {
  const tenant = fx.tenants.globex;
  const l = limits(10, 1);
  const before = await counted(tenant);
  const first = await takeRequestTokens(tenant, randomUUID(), l);
  const second = await takeRequestTokens(tenant, randomUUID(), l);
  assert.equal(first.allowed, true);
  assert.ok(!second.allowed && second.which === "tenant");
  assert.equal((await counted(tenant)) - before, 1);
});
