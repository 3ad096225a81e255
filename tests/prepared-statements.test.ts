// Named statements (lib/db/prepared.ts) keep RLS: a statement prepared on a
// pooled connection for one caller, planned generically after its fifth run,
// answers the next caller on that connection with that caller's rows only.
// And a name defined twice with two texts is refused before it reaches a connection.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { assigneesFor } from "@/lib/alerts/detail";
import type { Caller } from "@/lib/db/claims";
import { namedStatement } from "@/lib/db/prepared";
import { withTenant } from "@/lib/db/with-tenant";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

const as = (user: keyof Fixtures["users"], tenant: keyof Fixtures["tenants"]): Caller => ({
  userId: fx.users[user],
  email: `${user}@example.test`,
  activeTenantId: fx.tenants[tenant],
});

const TENANT_SLUGS = namedStatement("test.tenant-slugs", "select slug from public.tenants order by slug");

test("one connection, two tenants' callers in turn: each gets its own rows from the same prepared statement", async () => {
  const callersOf = new Map<number, Set<string>>();
  const results: Array<{ who: "acme" | "globex"; pid: number; slugs: string[]; assignees: string[] }> = [];
  // Ten rounds each way: past the five custom plans after which Postgres may keep a generic one.
  for (let i = 0; i < 10; i++) {
    for (const who of ["acme", "globex"] as const) {
      const caller = who === "acme" ? as("acmeAdmin", "acme") : as("globexAdmin", "globex");
      results.push(
        await withTenant(caller, async (tx) => ({
          who,
          pid: (await tx.client.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0].pid,
          slugs: (await tx.client.query<{ slug: string }>(TENANT_SLUGS())).rows.map((r) => r.slug),
          assignees: (await assigneesFor(tx, fx.tenants[who])).map((a) => a.id),
        })),
      );
    }
  }
  for (const r of results) {
    callersOf.set(r.pid, (callersOf.get(r.pid) ?? new Set()).add(r.who));
    if (r.who === "acme") {
      assert.ok(r.slugs.includes("acme") && !r.slugs.includes("globex"), `acme's caller saw ${r.slugs}`);
      assert.ok(!r.assignees.includes(fx.users.globexAdmin));
    } else {
      assert.ok(r.slugs.includes("globex") && !r.slugs.includes("acme"), `globex's caller saw ${r.slugs}`);
      assert.ok(!r.assignees.includes(fx.users.acmeAdmin));
    }
  }
  assert.ok(
    [...callersOf.values()].some((who) => who.size === 2),
    "at least one connection served both callers (the case under test)",
  );
});

test("a name given two texts is refused", () => {
  namedStatement("test.twice", "select 1");
  assert.doesNotThrow(() => namedStatement("test.twice", "select 1"));
  assert.throws(() => namedStatement("test.twice", "select 2"), /defined twice/);
});
