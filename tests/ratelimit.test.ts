// The shared rate limiter (lib/ratelimit, migration 20261130000600_rate_limits):
// token buckets in Postgres, so replicas share them. Tries what would break a
// per-process or read-then-write limiter: concurrent takers on many
// connections, and a second process taking from the same bucket at the same
// time. Also: refill, cost, peek and reset; who may call it; and which client
// address a request counts as (TRUST_PROXY).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { getPool } from "@/lib/db/pool";
import { clientSource, peek, perWindow, reset, take, trustedProxyHops } from "@/lib/ratelimit";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
before(async () => {
  process.env.DB_POOL_MAX = "8";
  db = await createTestDatabase();
});
after(() => db.drop());

// Effectively no refill during a test.
const NO_REFILL = { capacity: 40, refillPerSecond: 1e-6 };

describe("take", () => {
  test("a bucket gives its capacity, then refuses with the time until the next token", async () => {
    const limit = perWindow(3, 60); // one token per 20 s
    const t0 = new Date("2030-01-01T00:00:00Z");
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await take("t:basic", limit, { at: t0 }));
    assert.deepEqual(got.map((r) => r.allowed), [true, true, true, false]);
    assert.equal(got[3].remaining, 0);
    assert.equal(Math.round(got[3].retryAfterSeconds), 20);
    // 20 s later one token is back, and only one.
    const later = new Date(t0.getTime() + 20_000);
    assert.equal((await take("t:basic", limit, { at: later })).allowed, true);
    assert.equal((await take("t:basic", limit, { at: later })).allowed, false);
  });

  test("cost, peek (cost 0 takes nothing) and reset", async () => {
    const limit = NO_REFILL;
    assert.equal((await take("t:cost", limit, { cost: 30 })).remaining, 10);
    assert.equal((await take("t:cost", limit, { cost: 11 })).allowed, false, "a take larger than what is left is refused");
    assert.equal(Math.round((await peek("t:cost", limit)).remaining), 10, "a refused take spent nothing");
    assert.equal(Math.round((await peek("t:cost", limit)).remaining), 10, "peek spends nothing");
    await reset("t:cost");
    assert.equal((await peek("t:cost", limit)).remaining, 40, "reset: full again");
  });

  test("bad arguments are refused, not silently unlimited", async () => {
    await assert.rejects(take("", NO_REFILL), /key/);
    await assert.rejects(take("k", { capacity: 0, refillPerSecond: 1 }), /capacity/);
    await assert.rejects(take("k", { capacity: 1, refillPerSecond: Number.NaN }), /refillPerSecond/);
    await assert.rejects(take("k", NO_REFILL, { cost: -1 }), /cost/);
  });

  test("atomic across connections: 100 concurrent takes on a pool of 8 spend exactly the capacity", async () => {
    const results = await Promise.all(Array.from({ length: 100 }, () => take("t:concurrent", NO_REFILL)));
    assert.equal(results.filter((r) => r.allowed).length, 40);
    assert.ok(getPool().totalCount > 1, "control: more than one connection took part");
  });

  test("atomic across processes: this process and another take from one bucket at once; exactly the capacity is spent", async () => {
    // The other process loads, opens its connections, says "ready", and waits
    // for "go" on stdin; then both fire 60 takes at once.
    const child = `
      const { take } = await import("@/lib/ratelimit");
      const { closePool, getPool } = await import("@/lib/db/pool");
      await Promise.all(Array.from({ length: 4 }, () => getPool().query("select 1")));
      process.stdout.write("ready\\n");
      await new Promise((r) => process.stdin.once("data", r));
      const rs = await Promise.all(Array.from({ length: 60 }, () => take("t:processes", { capacity: 40, refillPerSecond: 1e-6 })));
      process.stdout.write(JSON.stringify({ allowed: rs.filter((r) => r.allowed).length }) + "\\n");
      await closePool();
      process.exit(0);`;
    const proc = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", child], {
      env: { ...process.env, DATABASE_URL: db.appUrl, DB_POOL_MAX: "4" },
      stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    const exited = new Promise<number | null>((r) => proc.on("exit", r));
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.on("data", (d) => {
        out += d;
        if (out.includes("ready")) resolve();
      });
      proc.on("exit", (code) => reject(new Error(`child exited early (${code}): ${out}`)));
    });
    await Promise.all(Array.from({ length: 4 }, () => getPool().query("select 1")));
    proc.stdin!.write("go\n");
    const mine = await Promise.all(Array.from({ length: 60 }, () => take("t:processes", { capacity: 40, refillPerSecond: 1e-6 })));
    assert.equal(await exited, 0);
    const theirs = JSON.parse(out.trim().split("\n").pop()!).allowed as number;
    const ours = mine.filter((r) => r.allowed).length;
    console.log(`allowed: this process ${ours}, the other ${theirs} (of 60 + 60 takes)`);
    assert.equal(ours + theirs, 40);
  });

  test("state is in Postgres, not in the process: a new pool sees the same bucket", async () => {
    await take("t:shared", NO_REFILL, { cost: 25 });
    const row = await withClient(db.url, async (c) => (await c.query("select tokens from ratelimit.buckets where key = 't:shared'")).rows[0]);
    assert.equal(Math.round(row.tokens), 15);
  });

  test("only the service role may touch the buckets: anon, authenticated and the login role are refused", async () => {
    await withClient(db.appUrl, async (c) => {
      for (const role of [null, "anon", "authenticated"]) {
        await c.query("begin");
        if (role) await c.query(`set local role ${role}`);
        await assert.rejects(c.query("select * from ratelimit.take('x', 1, 1, 1)"), /permission denied/, `role ${role ?? "portal_app"}`);
        await c.query("rollback");
        await c.query("begin");
        if (role) await c.query(`set local role ${role}`);
        await assert.rejects(c.query("select * from ratelimit.buckets"), /permission denied/, `role ${role ?? "portal_app"}`);
        await c.query("rollback");
      }
    });
  });
});

describe("the client address (TRUST_PROXY)", () => {
  const h = (xff?: string) => new Headers(xff ? { "x-forwarded-for": xff } : {});
  test("by default nothing is trusted: every request is the one source 'unknown', whatever it claims", () => {
    assert.equal(clientSource(h("203.0.113.7"), {}), "unknown");
    assert.equal(clientSource(h(), {}), "unknown");
    assert.equal(clientSource(h("203.0.113.7"), { TRUST_PROXY: "0" }), "unknown");
  });
  test("behind N appending proxies, the N-th address from the right; what the client wrote on the left is ignored", () => {
    assert.equal(clientSource(h("1.1.1.1, 203.0.113.7"), { TRUST_PROXY: "1" }), "ip:203.0.113.7");
    assert.equal(clientSource(h("1.1.1.1, 203.0.113.7, 10.0.0.2"), { TRUST_PROXY: "2" }), "ip:203.0.113.7");
    assert.equal(clientSource(h("::ffff:203.0.113.7"), { TRUST_PROXY: "1" }), "ip:203.0.113.7");
    assert.equal(clientSource({ "x-forwarded-for": "203.0.113.7:5123" }, { TRUST_PROXY: "1" }), "ip:203.0.113.7");
  });
  test("IPv6 counts per /64; garbage and a too-short chain are 'unknown'", () => {
    assert.equal(clientSource(h("2001:db8:1:2:aaaa::1"), { TRUST_PROXY: "1" }), "ip6:2001:db8:1:2::/64");
    assert.equal(clientSource(h("2001:db8:1:2:bbbb::9"), { TRUST_PROXY: "1" }), "ip6:2001:db8:1:2::/64");
    assert.equal(clientSource(h("2001:db8::1"), { TRUST_PROXY: "1" }), "ip6:2001:db8:0:0::/64");
    assert.equal(clientSource(h("not-an-ip"), { TRUST_PROXY: "1" }), "unknown");
    assert.equal(clientSource(h("203.0.113.7"), { TRUST_PROXY: "2" }), "unknown");
  });
  test("a TRUST_PROXY that is not a number fails loudly", () => {
    assert.throws(() => trustedProxyHops({ TRUST_PROXY: "true" }), /TRUST_PROXY must be the number of proxies/);
    assert.equal(trustedProxyHops({ TRUST_PROXY: " 1 " }), 1);
  });
});
