// The navigation's sections (lib/tenancy/nav-permissions.ts): on a tenant host
// the layout hands the PDP the host's tenant from the host lookup instead of
// reading it again under RLS. Both ways must give the same sections for every
// kind of caller, and a tenant outside the caller's scope shows none.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { navPermissions } from "@/lib/tenancy/nav-permissions";
import { findTenantBySlug } from "@/lib/tenancy/resolve-host";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

const CASES: [UserName, TenantSlug][] = [
  ["acmeAdmin", "acme"],
  ["acmeAdmin", "acme-eu"],
  ["acmeViewer", "acme"],
  ["acmeAnalyst", "acme-us"],
  ["msspAdmin", "globex"],
  ["msspAnalyst", "acme"],
  ["twoCustomers", "globex"],
];

test("the host's tenant as the resource gives the same sections as reading it under RLS", async () => {
  const seen = new Set<string>();
  for (const [user, slug] of CASES) {
    const host = await findTenantBySlug(slug);
    assert.ok(host);
    const [byId, byResource] = await as(fx, user, async (tx) => [await navPermissions(tx, host.id), await navPermissions(tx, host)], slug);
    assert.deepEqual(byResource, byId, `${user} on ${slug}`);
    seen.add(JSON.stringify(byId));
  }
  assert.ok(seen.size >= 3, "the cases differ, so the comparison means something");
});

test("a tenant the caller cannot see: no section by id", async () => {
  const globex = await findTenantBySlug("globex");
  const can = await as(fx, "acmeAdmin", (tx) => navPermissions(tx, globex!.id));
  assert.ok(Object.values(can).every((v) => v === false));
});
