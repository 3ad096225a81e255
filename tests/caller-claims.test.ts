// callerClaims (lib/db/with-tenant.ts): the 403 page's one-statement read of who
// the caller is. It must say exactly what a tenant transaction's claims say
// (memberships, and the active tenant only where a membership covers it), and
// refuse API keys, whose claims only come with their check inside withTenant.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closePool } from "@/lib/db/pool";
import { callerClaims, withTenant } from "@/lib/db/with-tenant";
import { insertFixtures, USERS, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { caller } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(async () => {
  await closePool();
  await db?.drop();
});

describe("callerClaims", () => {
  test("the same memberships and active tenant as a tenant transaction's claims, for every fixture user", async () => {
    const actives: Array<TenantSlug | undefined> = [undefined, "acme", "acme-eu", "globex", "mssp-b"];
    for (const user of Object.keys(USERS) as UserName[]) {
      for (const active of actives) {
        const c = caller(fx, user, active);
        const viaTx = await withTenant(c, async (tx) => tx.claims);
        const alone = await callerClaims(c);
        assert.deepEqual(alone.tenants, viaTx.tenants, `${user} on ${active ?? "no tenant"}: memberships`);
        assert.equal(alone.tenant_id ?? null, viaTx.tenant_id ?? null, `${user} on ${active ?? "no tenant"}: active tenant`);
        assert.equal(alone.sub, viaTx.sub);
      }
    }
  });

  test("an uncovered active tenant is dropped, as the hook does in withTenant", async () => {
    const claims = await callerClaims(caller(fx, "acmeAdmin", "globex"));
    assert.equal(claims.tenant_id ?? null, null);
    assert.deepEqual(claims.tenants.map((m) => m.slug), ["acme"]);
  });

  test("API keys are refused (their claims come with the key check, in withTenant)", async () => {
    await assert.rejects(
      callerClaims({ userId: fx.users.acmeAdmin, apiKey: { id: fx.users.acmeAdmin, secretHash: Buffer.alloc(32) } }),
      /for people/,
    );
  });
});
