// Claims and role never outlive their transaction on a pooled connection:
// after withTenant commits, throws, or hits an SQL error, the same connection
// is the owner again with no claims; concurrent callers each see only their
// own tenants.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closePool, getPool } from "@/lib/db/pool";
import { withServiceRole } from "@/lib/db/service-role";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as, caller } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";
import { inTransaction, withTenant } from "@/lib/db/with-tenant";

let db: TestDatabase;
let fx: Fixtures;
let ownerName: string;
let appLogin: string;
before(async () => {
  process.env.DB_POOL_MAX = "1"; // read at the first getPool()
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  ownerName = new URL(db.url).username;
  appLogin = new URL(db.appUrl).username;
});
after(() => db?.drop());

const STATE_SQL = `select pg_backend_pid() as pid, current_user as "user",
  current_setting('request.jwt.claims', true) as claims, current_setting('role') as role`;

interface ConnState {
  pid: number;
  user: string;
  claims: string | null;
  role: string;
}

/** The state of the pool's (only) connection, read with a plain pool query. */
async function poolState(): Promise<ConnState> {
  return (await getPool().query<ConnState>(STATE_SQL)).rows[0];
}

function assertClean(s: ConnState): void {
  // The pool logs in as the app's role, never the owner (migrations/…0700_portal_app_role).
  assert.notEqual(s.user, ownerName);
  assert.equal(s.user, appLogin, "current_user is the app's login role again");
  assert.equal(s.role, "none", "no role is set");
  assert.ok(s.claims === null || s.claims === "", `claims leaked: ${s.claims}`);
}

describe("one connection (DB_POOL_MAX=1)", () => {
  test("after a committed withTenant the connection is clean", async () => {
    const inside = await as(fx, "acmeAdmin", async ({ client }) => (await client.query<ConnState>(STATE_SQL)).rows[0]);
    assert.equal(inside.user, "authenticated", "control: inside, the role is authenticated");
    assert.equal(JSON.parse(inside.claims!).sub, fx.users.acmeAdmin, "control: inside, the claims are set");
    const outside = await poolState();
    assert.equal(outside.pid, inside.pid, "the same connection was reused");
    assertClean(outside);
  });

  test("after a callback that throws (rollback) the connection is clean", async () => {
    let pid = 0;
    await assert.rejects(
      as(fx, "globexAdmin", async ({ client }) => {
        pid = (await client.query(STATE_SQL)).rows[0].pid;
        throw new Error("boom");
      }),
      /boom/,
    );
    const outside = await poolState();
    assert.equal(outside.pid, pid);
    assertClean(outside);
  });

  test("after an SQL error inside the callback the connection is clean", async () => {
    let pid = 0;
    await assert.rejects(
      as(fx, "acmeAdmin", async ({ client }) => {
        pid = (await client.query(STATE_SQL)).rows[0].pid;
        await client.query("insert into public.tenants (slug, name, kind) values ('nope', 'Nope', 'mssp')"); // 42501
      }),
      (e: { code?: string }) => e.code === "42501",
    );
    const outside = await poolState();
    assert.equal(outside.pid, pid);
    assertClean(outside);
  });

  test("after the service-role path the connection is clean", async () => {
    const inside = await withServiceRole("tenancy.resolve-host", async (d) => (await d.$client.query<ConnState>(STATE_SQL)).rows[0]);
    assert.equal(inside.user, "service_role");
    assertClean(await poolState());
  });

  test("stale session-level legacy claims on the connection do not change who withTenant runs as", async () => {
    // Supabase's auth.uid()/auth.jwt() read request.jwt.claim(.sub) before request.jwt.claims;
    // a plain SET (not LOCAL) anywhere would otherwise outlive its transaction and hijack the next caller.
    const pool = getPool();
    await pool.query(`select set_config('request.jwt.claim.sub', $1, false),
                             set_config('request.jwt.claim', $2, false)`, [
      fx.users.msspAdmin,
      JSON.stringify({ sub: fx.users.msspAdmin, role: "authenticated" }),
    ]);
    try {
      const [uid, slugs] = await as(fx, "globexAdmin", async ({ client }) => [
        (await client.query("select auth.uid() as uid")).rows[0].uid,
        (await client.query("select slug from public.tenants order by slug")).rows.map((r) => r.slug),
      ]);
      assert.equal(uid, fx.users.globexAdmin);
      assert.deepEqual(slugs, ["globex"]);
      // Control: the stale values really are on the connection, and would win
      // in a transaction that switched role without withTenant's claims.
      const stale = await inTransaction(async (client) => {
        await client.query("set local role authenticated");
        return (await client.query("select auth.uid() as uid")).rows[0].uid;
      });
      assert.equal(stale, fx.users.msspAdmin);
    } finally {
      await pool.query("reset request.jwt.claim.sub; reset request.jwt.claim");
    }
  });

  test("the next caller on the same connection sees only its own tenant", async () => {
    const first = await as(fx, "msspAdmin", async ({ client }) => (await client.query("select id from public.alerts")).rowCount);
    assert.equal(first, 10);
    const [pid, slugs] = await as(fx, "globexAdmin", async ({ client }) => [
      (await client.query(STATE_SQL)).rows[0].pid,
      (await client.query("select distinct tenant_id from public.alerts")).rows.map((r) => fx.slugOf(r.tenant_id)),
    ]);
    assert.equal(pid, (await poolState()).pid);
    assert.deepEqual(slugs, ["globex"]);
  });
});

describe("many connections, many concurrent callers", () => {
  const SCOPE: Partial<Record<UserName, TenantSlug[]>> = {
    msspAdmin: ["acme", "acme-eu", "acme-us", "globex", "mssp-a"],
    acmeAdmin: ["acme", "acme-eu", "acme-us"],
    acmeEuAdmin: ["acme-eu"],
    globexAdmin: ["globex"],
    msspBAdmin: ["mssp-b", "other-co"],
    otherCoAdmin: ["other-co"],
    noMemberships: [],
  };

  test("interleaved withTenant calls each see only their own tenants", async () => {
    await closePool();
    process.env.DB_POOL_MAX = "4";
    const users = Object.keys(SCOPE) as UserName[];
    const pids = new Set<number>();
    const runs = Array.from({ length: 120 }, (_, i) => users[(i * 7) % users.length]).map((user, i) =>
      withTenant(caller(fx, user), async ({ client }) => {
        const state = (await client.query<ConnState>(STATE_SQL)).rows[0];
        pids.add(state.pid);
        // Let other transactions run on the other connections in between.
        await client.query("select pg_sleep($1)", [(i % 5) / 1000]);
        const { rows } = await client.query<{ tenant_id: string }>("select distinct tenant_id from public.alerts");
        const sub = (await client.query("select auth.uid() as uid")).rows[0].uid;
        return { user, sub, seen: rows.map((r) => fx.slugOf(r.tenant_id)).sort() };
      }),
    );
    for (const { user, sub, seen } of await Promise.all(runs)) {
      assert.equal(sub, fx.users[user]);
      assert.deepEqual(seen, [...SCOPE[user]!].sort(), `${user} saw ${seen.join(",")}`);
    }
    assert.equal(pids.size, 4, "control: the calls really ran on four connections at once");

    // Every connection is clean afterwards: hold all four at once and look.
    const clients = await Promise.all(Array.from({ length: 4 }, () => getPool().connect()));
    try {
      const states = await Promise.all(clients.map(async (c) => (await c.query<ConnState>(STATE_SQL)).rows[0]));
      assert.equal(new Set(states.map((s) => s.pid)).size, 4);
      states.forEach(assertClean);
    } finally {
      clients.forEach((c) => c.release());
    }
  });
});
