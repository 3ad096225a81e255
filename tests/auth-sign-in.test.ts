// Email + password sign-in against the real users table: argon2id, a wrong
// password, an unknown email, and the temporary lockout after repeated
// failures (which must hold even for the right password until it expires).
// Issue 9, finding 2: the lockout is per (email, source), so failures from an
// attacker's address do not lock the user out from theirs, and an unknown
// email, a wrong password and a lockout answer the same and cost the same.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { accountSourceKey, LOCKOUT_MINUTES, MAX_FAILED_ATTEMPTS, verifyCredentials } from "@/lib/auth/credentials";
import { signInErrorMessage } from "@/lib/auth/sign-in-messages";
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
    const key = accountSourceKey("locked@test.example", "unknown");
    const bucket = () => withClient(db.url, async (c) => (await c.query("select * from ratelimit.buckets where key = $1", [key])).rows[0]);
    assert.ok(await bucket(), "control: the failures are counted");
    const later = new Date(Date.now() + (LOCKOUT_MINUTES * 60 + 5) * 1000);
    const result = await verifyCredentials({ email: "locked@test.example", password: PASSWORD }, later);
    assert.equal(result.ok, true);
    assert.equal(await bucket(), undefined);
  });

  test("a wrong password never reaches a stored value", async () => {
    await verifyCredentials({ email: "ok@test.example", password: "leak-canary-123" });
    const dump = JSON.stringify(await withClient(db.url, async (c) => (await c.query("select * from public.users")).rows));
    assert.ok(!dump.includes("leak-canary-123"));
  });
});

// Sources as lib/ratelimit/client-ip.ts names them.
let nextSource = 1;
const freshSource = () => `ip:198.51.100.${nextSource++}`;
const reasonOf = (r: Awaited<ReturnType<typeof verifyCredentials>>) => (r.ok ? "ok" : r.reason);

describe("failures per (email, source): no enumeration, no locking out from elsewhere", () => {
  test("an attacker's failures from one address do not lock the user out from theirs", async () => {
    await addUser("victim@test.example");
    const attacker = freshSource();
    const results = [];
    for (let i = 0; i < MAX_FAILED_ATTEMPTS + 3; i++) {
      results.push(reasonOf(await verifyCredentials({ email: "victim@test.example", password: `guess-${i}` }, undefined, { source: attacker })));
    }
    assert.deepEqual(results.slice(MAX_FAILED_ATTEMPTS - 1), ["locked", "locked", "locked", "locked"], "control: the attacker's address is locked out");
    // ...even with the right password, from the attacker's address:
    assert.equal(reasonOf(await verifyCredentials({ email: "victim@test.example", password: PASSWORD }, undefined, { source: attacker })), "locked");
    // The user, from their own address, signs in.
    const user = await verifyCredentials({ email: "victim@test.example", password: PASSWORD }, undefined, { source: freshSource() });
    assert.equal(reasonOf(user), "ok");
  });

  test("an unknown email and a real one answer the same, attempt by attempt, lockout included", async () => {
    await addUser("real@test.example");
    const run = async (email: string) => {
      const source = freshSource();
      const out = [];
      for (let i = 0; i < MAX_FAILED_ATTEMPTS + 2; i++) out.push(await verifyCredentials({ email, password: `wrong-${i}` }, undefined, { source }));
      // and the right password of the real account, while locked
      out.push(await verifyCredentials({ email, password: PASSWORD }, undefined, { source }));
      return out.map((r) => (r.ok ? "ok" : r.reason === "locked" ? `locked:${Math.ceil(r.retryAfterSeconds / 60)}m` : r.reason));
    };
    const real = await run("real@test.example");
    const ghost = await run("ghost-account@test.example");
    assert.deepEqual(ghost, real);
    assert.deepEqual(real, [...Array(MAX_FAILED_ATTEMPTS - 1).fill("invalid"), ...Array(4).fill(`locked:${LOCKOUT_MINUTES}m`)]);
  });

  test("the sign-in page says the same for every failure, and never that an account exists", () => {
    const text = signInErrorMessage(`locked:${LOCKOUT_MINUTES * 60}`)!;
    assert.match(text, /locked for 15 minutes/);
    assert.doesNotMatch(text, /account/i);
    assert.equal(signInErrorMessage("invalid"), "Wrong email or password.");
  });

  test("a wrong password, an unknown email and a locked (email, source) cost the same (one argon2 verify each)", async () => {
    await addUser("timing@test.example");
    const lockedSource = freshSource();
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) await verifyCredentials({ email: "timing@test.example", password: `x-${i}` }, undefined, { source: lockedSource });
    // Interleaved, so a busy machine slows all three alike; medians of 9.
    const samples: Record<"wrong" | "unknown" | "locked", number[]> = { wrong: [], unknown: [], locked: [] };
    const timed = async (into: number[], fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      into.push(performance.now() - t);
    };
    for (let i = 0; i < 9; i++) {
      // Wrong-password attempts from sources of their own, so none of them is throttled.
      await timed(samples.wrong, () => verifyCredentials({ email: "timing@test.example", password: "nope" }, undefined, { source: freshSource() }));
      await timed(samples.unknown, () => verifyCredentials({ email: "nobody@test.example", password: "nope" }, undefined, { source: freshSource() }));
      await timed(samples.locked, () => verifyCredentials({ email: "timing@test.example", password: "nope" }, undefined, { source: lockedSource }));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const [wrong, unknown, lockedOut] = [median(samples.wrong), median(samples.unknown), median(samples.locked)];
    console.log(`median ms: wrong password ${wrong.toFixed(1)}, unknown email ${unknown.toFixed(1)}, locked ${lockedOut.toFixed(1)}`);
    // Relative, not a timed assertion: a hash is tens of ms, a skipped one is ~1 ms.
    for (const [name, t] of [["unknown email", unknown], ["locked", lockedOut]] as const) {
      assert.ok(t > wrong * 0.4 && t < wrong * 2.5, `${name} took ${t.toFixed(1)} ms against ${wrong.toFixed(1)} ms for a wrong password`);
    }
  });

  test("one source has a budget for all emails together, refused before any hash", async () => {
    const saved = { ...process.env };
    process.env.SIGNIN_LIMIT_PER_MINUTE = "3";
    process.env.SIGNIN_BURST = "3";
    try {
      const source = freshSource();
      const out = [];
      for (let i = 0; i < 5; i++) out.push(reasonOf(await verifyCredentials({ email: `spray-${i}@test.example`, password: "x" }, undefined, { source })));
      assert.deepEqual(out, ["invalid", "invalid", "invalid", "locked", "locked"]);
      // Another address is not affected.
      assert.equal(reasonOf(await verifyCredentials({ email: "ok@test.example", password: PASSWORD }, undefined, { source: freshSource() })), "ok");
    } finally {
      process.env.SIGNIN_LIMIT_PER_MINUTE = saved.SIGNIN_LIMIT_PER_MINUTE;
      process.env.SIGNIN_BURST = saved.SIGNIN_BURST;
      if (saved.SIGNIN_LIMIT_PER_MINUTE === undefined) delete process.env.SIGNIN_LIMIT_PER_MINUTE;
      if (saved.SIGNIN_BURST === undefined) delete process.env.SIGNIN_BURST;
    }
  });
});
