// What each kind of user sees, exactly: a role on a tenant covers its whole
// subtree and nothing else. The expected tenant lists are written out by hand
// (not derived from the fixture tree), so a policy that widens or narrows
// scope fails here in both directions.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { insertFixtures, USERS, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

const MSSP_A_TREE: TenantSlug[] = ["acme", "acme-eu", "acme-us", "globex", "mssp-a"];
const ACME_TREE: TenantSlug[] = ["acme", "acme-eu", "acme-us"];

const VISIBLE: Record<UserName, TenantSlug[]> = {
  msspAdmin: MSSP_A_TREE,
  msspAnalyst: MSSP_A_TREE,
  acmeAdmin: ACME_TREE,
  acmeAnalyst: ACME_TREE,
  acmeViewer: ACME_TREE,
  acmeEuAdmin: ["acme-eu"],
  acmeUsAdmin: ["acme-us"],
  globexAdmin: ["globex"],
  otherCoAdmin: ["other-co"],
  msspBAdmin: ["mssp-b", "other-co"],
  twoCustomers: [...ACME_TREE, "globex"],
  noMemberships: [],
};

const memberships = () =>
  (Object.entries(USERS) as [UserName, [TenantSlug, string][]][]).flatMap(([user, ms]) =>
    ms.map(([slug]) => ({ user, slug })),
  );

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

const sorted = <T>(xs: T[]) => [...xs].sort();

for (const [user, visible] of Object.entries(VISIBLE) as [UserName, TenantSlug[]][]) {
  describe(`${user} sees ${visible.length ? visible.join(", ") : "no tenant"}`, () => {
    for (const table of ["alerts", "assets"] as const) {
      test(`${table}: exactly the rows of those tenants`, async () => {
        const rows = await as(fx, user, async ({ client }) =>
          (await client.query<{ tenant_id: string; id: string }>(`select tenant_id, id from public.${table}`)).rows,
        );
        assert.deepEqual(sorted(rows.map((r) => r.id)), sorted(visible.flatMap((s) => fx[table][s])));
      });
    }

    test("tenants: exactly those tenants", async () => {
      const rows = await as(fx, user, async ({ client }) => (await client.query<{ slug: string }>("select slug from public.tenants")).rows);
      assert.deepEqual(sorted(rows.map((r) => r.slug)), sorted(visible));
    });

    test("memberships: its own, and every membership on those tenants", async () => {
      const rows = await as(fx, user, async ({ client }) =>
        (await client.query<{ tenant_id: string; user_id: string }>("select tenant_id, user_id from public.memberships")).rows,
      );
      const expected = memberships().filter((m) => m.user === user || visible.includes(m.slug));
      const key = (userId: string, tenantId: string) => `${userId}/${tenantId}`;
      assert.deepEqual(
        sorted(rows.map((r) => key(r.user_id, r.tenant_id))),
        sorted(expected.map((m) => key(fx.users[m.user], fx.tenants[m.slug]))),
      );
    });

    test("users: itself, and the members of those tenants", async () => {
      const rows = await as(fx, user, async ({ client }) => (await client.query<{ id: string }>("select id from public.users")).rows);
      const expected = new Set([user, ...memberships().filter((m) => visible.includes(m.slug)).map((m) => m.user)]);
      assert.deepEqual(sorted(rows.map((r) => r.id)), sorted([...expected].map((u) => fx.users[u])));
    });
  });
}
