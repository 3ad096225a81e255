// session.lifetime_hours (lib/settings) at sign-in (lib/auth/sessions.ts
// openSession): a new session ends after the shortest lifetime set for any
// tenant the user holds a role on (inherited down the tree), or after
// SESSION_MAX_AGE_HOURS when that is shorter or nothing is set.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { openSession } from "@/lib/auth/sessions";
import { withServiceRole } from "@/lib/db/service-role";
import { insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

const NOW = new Date("2026-12-01T08:00:00Z");
const hoursFor = async (user: UserName) => ((await openSession(randomUUID(), fx.users[user], {}, NOW)).getTime() - NOW.getTime()) / 3_600_000;

test("nothing set: the server's SESSION_MAX_AGE_HOURS (12 by default)", async () => {
  assert.equal(await hoursFor("acmeAdmin"), 12);
});

test("set at a customer: its members and its sites' members get it; others keep the server's", async () => {
  await withClient(db.url, (c) => c.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'session.lifetime_hours', '2')", [fx.tenants.acme]));
  assert.equal(await hoursFor("acmeAdmin"), 2);
  assert.equal(await hoursFor("acmeEuAdmin"), 2, "a site inherits it");
  assert.equal(await hoursFor("twoCustomers"), 2, "the shortest of the user's tenants");
  assert.equal(await hoursFor("globexAdmin"), 12);
  assert.equal(await hoursFor("msspAdmin"), 12, "the MSSP above is not bound by its customer's value");
});

test("a value longer than the server's limit does not extend it", async () => {
  await withClient(db.url, (c) => c.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'session.lifetime_hours', '48')", [fx.tenants.globex]));
  assert.equal(await hoursFor("globexAdmin"), 12);
});

test("a handoff's session ends with its source's, even where the tenant's lifetime is shorter than the server's", async () => {
  // acme's 2 hours (set above): the source session, signed in at 08:00, ends at 10:00; a handoff at 09:59 must not reach 11:59.
  const at = new Date(NOW.getTime() + 119 * 60_000);
  const notAfter = new Date(NOW.getTime() + 2 * 3_600_000);
  const ends = await openSession(randomUUID(), fx.users.acmeAdmin, {}, at, { familyId: randomUUID(), notAfter });
  assert.equal(ends.toISOString(), notAfter.toISOString());
  // And a handoff from a session with longer to run keeps the tenant's 2 hours.
  const later = await openSession(randomUUID(), fx.users.acmeAdmin, {}, NOW, { familyId: randomUUID(), notAfter: new Date(NOW.getTime() + 10 * 3_600_000) });
  assert.equal((later.getTime() - NOW.getTime()) / 3_600_000, 2);
});

test("a stored value that is not a whole number from 1 to 720 is ignored: sign-in neither fails nor ends at once", async () => {
  // Written as a restored archive may write one (the service role; migration 20261201029410 refuses it to signed-in callers).
  const store = (json: string) =>
    withServiceRole("lifecycle.archive", (sdb) =>
      sdb.$client.query(
        `insert into public.tenant_settings (tenant_id, key, value) values ($1, 'session.lifetime_hours', $2::jsonb)
         on conflict (tenant_id, key) do update set value = excluded.value`,
        [fx.tenants["other-co"], json],
      ),
    );
  for (const bad of ["0", '"x"', "1.5", "-3", "100000", "true"]) {
    await store(bad);
    assert.equal(await hoursFor("otherCoAdmin"), 12, bad);
  }
  // A user with a role on a tenant with a bad value and on one with a good value: the good one applies.
  await withServiceRole("lifecycle.archive", (sdb) =>
    sdb.$client.query("update public.tenant_settings set value = '\"x\"' where tenant_id = $1 and key = 'session.lifetime_hours'", [fx.tenants.globex]),
  );
  assert.equal(await hoursFor("globexAdmin"), 12);
  assert.equal(await hoursFor("twoCustomers"), 2, "acme's 2 hours");
});
