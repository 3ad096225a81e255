// Email + password sign-in against the real users table: argon2id, a wrong
// password, an unknown email, and the temporary lockout after repeated
// failures (which must hold even for the right password until it expires).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { LOCKOUT_MINUTES, MAX_FAILED_ATTEMPTS, verifyCredentials } from "@/lib/auth/credentials";
import { hashPassword } from "@/lib/auth/password";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const PASSWORD = "correct horse battery staple";
let db: TestDatabase;

async function addUser(email: string) {
  const hash = await hashPassword(PASSWORD);
  await withClient(db.url, (c) => c.query("insert into public.users (email, name, password_hash) values ($1, 'T', $2)", [email, hash]));
}

async function userRow(email: string) {
  return withClient(db.url, async (c) => (await c.query("select * from public.users where email = $1", [email])).rows[0]);
}

before(async () => {
  db = await createTestDatabase();
  await addUser("ok@test.example");
  await addUser("locked@test.example");
});
after(() => db.drop());

describe("verifyCredentials", () => {
  test("the right password signs in, with the email matched case-insensitively", async () => {
    const result = await verifyCredentials({ email: "  OK@Test.Example ", password: PASSWORD });
    assert.equal(result.ok, true);
    assert.ok((await userRow("ok@test.example")).last_login_at);
  });

  test("the stored hash is argon2id with OWASP parameters", async () => {
    assert.match((await userRow("ok@test.example")).password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  test("a wrong password and an unknown email fail the same way", async () => {
    assert.deepEqual(await verifyCredentials({ email: "ok@test.example", password: "nope" }), { ok: false, reason: "invalid" });
    assert.deepEqual(await verifyCredentials({ email: "ghost@test.example", password: "nope" }), { ok: false, reason: "invalid" });
    assert.deepEqual(await verifyCredentials({ email: "not-an-email", password: "x" }), { ok: false, reason: "invalid" });
  });

  test(`after ${MAX_FAILED_ATTEMPTS} failures the account locks, even against the right password`, async () => {
    for (let i = 1; i < MAX_FAILED_ATTEMPTS; i++) {
      assert.deepEqual(await verifyCredentials({ email: "locked@test.example", password: `wrong-${i}` }), { ok: false, reason: "invalid" });
    }
    const locking = await verifyCredentials({ email: "locked@test.example", password: "wrong-last" });
    assert.equal(locking.ok, false);
    assert.equal(!locking.ok && locking.reason, "locked");
    const withRightPassword = await verifyCredentials({ email: "locked@test.example", password: PASSWORD });
    assert.equal(!withRightPassword.ok && withRightPassword.reason, "locked");
    if (!withRightPassword.ok && withRightPassword.reason === "locked") {
      assert.ok(withRightPassword.retryAfterSeconds <= LOCKOUT_MINUTES * 60);
      assert.ok(withRightPassword.retryAfterSeconds > (LOCKOUT_MINUTES - 1) * 60);
    }
  });

  test("the lockout expires, and a successful sign-in clears the counter", async () => {
    const later = new Date(Date.now() + (LOCKOUT_MINUTES * 60 + 5) * 1000);
    const result = await verifyCredentials({ email: "locked@test.example", password: PASSWORD }, later);
    assert.equal(result.ok, true);
    const row = await userRow("locked@test.example");
    assert.equal(row.failed_login_count, 0);
    assert.equal(row.locked_until, null);
  });

  test("a wrong password never reaches a stored value", async () => {
    await verifyCredentials({ email: "ok@test.example", password: "leak-canary-123" });
    const dump = JSON.stringify(await withClient(db.url, async (c) => (await c.query("select * from public.users")).rows));
    assert.ok(!dump.includes("leak-canary-123"));
  });
});
