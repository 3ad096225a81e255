// The MFA migration's way back, and the demo enrolment.
//   - 20261123000600_mfa.down.sql removes both tables and tenants.require_mfa,
//     and migrating again restores them.
//   - seedDemo enrols the demo MSSP users with DEMO_TOTP_SECRET, sealed for
//     their row under the portal's NEXTAUTH_SECRET; nobody else; and re-seals
//     on a later start if the secret changed.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { mfaKey, openTotpSecret } from "@/lib/auth/mfa-crypto";
import { base32Decode } from "@/lib/auth/totp";
import { rollback } from "@/lib/db/migrate";
import { seedDemo } from "@/lib/demo/seed";
import { DEMO_TOTP_SECRET, DEMO_USERS } from "@/lib/demo/users";
import { createTestDatabase, withClient, type TestDatabase, migrateInCluster } from "./helpers/test-database";

const MFA_VERSION = "20261123000600";
let db: TestDatabase;
before(async () => {
  db = await createTestDatabase({ setEnv: false });
});
after(() => db.drop());

const mfaObjects = (url: string) =>
  withClient(url, async (c) => {
    const { rows } = await c.query(`
      select 'table ' || relname as o from pg_class
       where relnamespace = 'public'::regnamespace and relname in ('user_mfa', 'user_recovery_codes')
      union all
      select 'column tenants.' || attname from pg_attribute
       where attrelid = 'public.tenants'::regclass and attname = 'require_mfa' and not attisdropped
      union all
      select 'trigger ' || tgname from pg_trigger where tgname = 'user_mfa_touch'
      order by 1`);
    return rows.map((r) => r.o);
  });

// tenants.require_mfa, which the MFA migration added, is the setting
// session.mfa_required since 20261201001000 (tests/settings-migration.test.ts):
// after every migration it is gone; rolling back to before the MFA migration
// brings it back (that rollback) and removes it (this one).
test("rolling back the MFA migration removes its tables and the tenant column; migrating again restores them", async () => {
  const all = ["table user_mfa", "table user_recovery_codes", "trigger user_mfa_touch"];
  assert.deepEqual(await mfaObjects(db.url), all);
  const previous = await withClient(db.url, async (c) =>
    (await c.query("select max(version) as v from supabase_migrations.schema_migrations where version < $1", [MFA_VERSION])).rows[0].v,
  );
  const rolledBack = await rollback(db.url, { toVersion: previous });
  assert.ok(rolledBack.includes(`${MFA_VERSION}_mfa`));
  assert.deepEqual(await mfaObjects(db.url), []);
  assert.ok((await migrateInCluster(db.url, db.adminUrl)).includes(`${MFA_VERSION}_mfa`));
  assert.deepEqual(await mfaObjects(db.url), all);
});

test("the demo seed enrols exactly the demo users marked totp, with the documented secret sealed for their row", async () => {
  const secretA = "seed-test-nextauth-secret-a";
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const loaded = await seedDemo(client, { authSecret: secretA });
    assert.equal(loaded.skipped, false);
    const rows = async () =>
      (
        await client.query<{ id: string; email: string; totp_secret: string; confirmed_at: Date | null }>(
          "select u.id, u.email, f.totp_secret, f.confirmed_at from public.user_mfa f join public.users u on u.id = f.user_id order by u.email",
        )
      ).rows;
    const expected = DEMO_USERS.filter((u) => u.totp).map((u) => u.email).sort();
    assert.deepEqual(expected, ["mssp.admin@demo.test", "mssp.analyst@demo.test"]);
    const first = await rows();
    assert.deepEqual(first.map((r) => r.email), expected);
    for (const r of first) {
      assert.ok(r.confirmed_at);
      assert.deepEqual(openTotpSecret(r.id, r.totp_secret, mfaKey(secretA)), base32Decode(DEMO_TOTP_SECRET));
      assert.ok(!r.totp_secret.includes(DEMO_TOTP_SECRET));
    }

    // A later start with the same secret changes nothing...
    assert.equal((await seedDemo(client, { authSecret: secretA })).skipped, true);
    assert.deepEqual(await rows(), first);
    // ...and one with another NEXTAUTH_SECRET re-seals the demo secret so it opens again.
    const secretB = "seed-test-nextauth-secret-b";
    assert.equal((await seedDemo(client, { authSecret: secretB })).skipped, true);
    for (const r of await rows()) {
      assert.deepEqual(openTotpSecret(r.id, r.totp_secret, mfaKey(secretB)), base32Decode(DEMO_TOTP_SECRET));
    }
  } finally {
    await client.end();
  }
});
