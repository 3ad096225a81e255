// A layout's reads on the page's transaction (lib/db/render-transaction.ts):
// in one render, the page's run() and the layout's read() of the same caller use
// one transaction (one connection, one opening, one commit); the page's
// transaction waits for a joined read before it ends, whatever the page did;
// a read with no page transaction to join, another caller's read, or a read
// outside a render runs on its own. The joined read is under the same claims:
// RLS shows it the caller's tenants and nothing else.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Caller } from "@/lib/db/claims";
import { getPool } from "@/lib/db/pool";
import { readJoiningPage, runHostingReads, sharingPageTransaction } from "@/lib/db/render-transaction";
import type { TenantTx } from "@/lib/db/with-tenant";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

const caller = (user: keyof Fixtures["users"], active: keyof Fixtures["tenants"] | null = null): Caller => ({
  userId: fx.users[user],
  email: `${user}@example.test`,
  activeTenantId: active ? fx.tenants[active] : null,
});

/** Which transaction a statement ran in: the backend and the transaction's start time. */
async function where(tx: TenantTx): Promise<string> {
  const { rows } = await tx.client.query<{ at: string }>("select pg_backend_pid() || '@' || now()::text as at");
  return rows[0].at;
}
const tenantCount = async (tx: TenantTx) => (await tx.client.query<{ n: number }>("select count(*)::int as n from public.tenants")).rows[0].n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a layout's reads join the page's transaction", () => {
  test("page and layout of one render: one transaction, the page's claims, RLS as usual", async () => {
    const c = caller("acmeAdmin", "acme");
    const [page, layout] = await sharingPageTransaction(() =>
      Promise.all([
        runHostingReads(c, async (tx) => ({ at: await where(tx), tenants: await tenantCount(tx), sub: tx.claims.sub })),
        readJoiningPage(c, async (tx) => ({ at: await where(tx), tenants: await tenantCount(tx), sub: tx.claims.sub })),
      ]),
    );
    assert.equal(layout.at, page.at, "the same backend and transaction");
    assert.deepEqual({ tenants: layout.tenants, sub: layout.sub }, { tenants: page.tenants, sub: fx.users.acmeAdmin });
    assert.equal(page.tenants, 3, "acme and its two sites, nothing of Globex or the MSSPs");
  });

  test("a layout that asks first still joins a page that starts within the wait", async () => {
    const c = caller("globexAdmin", "globex");
    const [layout, page] = await sharingPageTransaction(async () => {
      const l = readJoiningPage(c, where);
      // The page starts a few microtasks later, as when both awaited the same resolved lookups (no timer
      // turn: under load a timer turn can outlast the 2 ms wait, and then the layout rightly reads alone).
      for (let i = 0; i < 3; i++) await Promise.resolve();
      const p = runHostingReads(c, where);
      return Promise.all([l, p]);
    });
    assert.equal(layout, page);
  });

  test("the page's transaction ends only after the joined read: its connection is never given back mid-read", async () => {
    const c = caller("acmeAdmin", "acme");
    const events: string[] = [];
    const [pageAt, layoutRead] = await sharingPageTransaction(() =>
      Promise.all([
        runHostingReads(c, async (tx) => {
          const at = await where(tx);
          events.push("page done");
          return at;
        }).then((at) => (events.push("page ended"), at)),
        readJoiningPage(c, async (tx) => {
          await tx.client.query("select pg_sleep(0.3)");
          const at = await where(tx);
          events.push("layout read done");
          return at;
        }),
      ]),
    );
    assert.equal(layoutRead, pageAt);
    assert.deepEqual(events, ["page done", "layout read done", "page ended"]);
    assert.equal(getPool().totalCount - getPool().idleCount, 0, "every connection back in the pool");
  });

  test("a page that fails: its error stands, the joined read keeps its answer, the transaction is rolled back after it", async () => {
    const c = caller("acmeAdmin", "acme");
    const [page, layout] = await sharingPageTransaction(() =>
      Promise.allSettled([
        runHostingReads(c, async (tx) => {
          // A session setting, which only the transaction's rollback undoes (authenticated may not make temporary tables).
          await tx.client.query("select set_config('test.page_wrote', 'yes', false)");
          throw new Error("the page failed");
        }),
        readJoiningPage(c, async (tx) => {
          await tx.client.query("select pg_sleep(0.1)");
          return tenantCount(tx);
        }),
      ]),
    );
    assert.equal(page.status, "rejected");
    assert.match(String((page as PromiseRejectedResult).reason), /the page failed/);
    assert.deepEqual(layout, { status: "fulfilled", value: 3 });
    const { rows } = await getPool().query("select coalesce(current_setting('test.page_wrote', true), '') <> 'yes' as gone");
    assert.equal(rows[0].gone, true);
  });

  test("no page transaction to join: the layout's read runs on its own, and still under its claims", async () => {
    const c = caller("globexAdmin", "globex");
    const alone = await sharingPageTransaction(() => readJoiningPage(c, async (tx) => ({ tenants: await tenantCount(tx), sub: tx.claims.sub })));
    assert.deepEqual(alone, { tenants: 1, sub: fx.users.globexAdmin });
    // A page that starts too late, and one that has already ended: their own transactions.
    const [late, page] = await sharingPageTransaction(async () => {
      const l = readJoiningPage(c, where);
      await sleep(30);
      return Promise.all([l, runHostingReads(c, where)]);
    });
    assert.notEqual(late, page);
    const after = await sharingPageTransaction(async () => {
      const p = await runHostingReads(c, where);
      return [p, await readJoiningPage(c, where)];
    });
    assert.notEqual(after[0], after[1]);
  });

  test("another caller's read never joins: its own transaction and its own claims", async () => {
    const [acme, globex, otherTenant] = await sharingPageTransaction(() =>
      Promise.all([
        runHostingReads(caller("acmeAdmin", "acme"), async (tx) => ({ at: await where(tx), tenants: await tenantCount(tx) })),
        readJoiningPage(caller("globexAdmin", "globex"), async (tx) => ({ at: await where(tx), tenants: await tenantCount(tx) })),
        // The same person with another active tenant is another caller too.
        readJoiningPage(caller("acmeAdmin", "acme-eu"), async (tx) => ({ at: await where(tx), tenants: await tenantCount(tx) })),
      ]),
    );
    assert.notEqual(globex.at, acme.at);
    assert.notEqual(otherTenant.at, acme.at);
    assert.deepEqual([acme.tenants, globex.tenants, otherTenant.tenants], [3, 1, 1]);
  });

  test("outside a render every call is its own transaction", async () => {
    const c = caller("acmeAdmin", "acme");
    const [page, layout] = await Promise.all([runHostingReads(c, where), readJoiningPage(c, where)]);
    assert.notEqual(page, layout);
  });
});

describe("the 403 page's memberships come from the render's page transaction", () => {
  test("the claims the page's transaction built, for that person only; none without a page transaction", async () => {
    const { claimsOfRender } = await import("@/lib/db/render-transaction");
    const [claims, other, page] = await sharingPageTransaction(() =>
      Promise.all([
        claimsOfRender(fx.users.acmeAdmin),
        claimsOfRender(fx.users.globexAdmin),
        runHostingReads(caller("acmeAdmin", "acme"), async (tx) => tx.claims),
      ]),
    );
    assert.deepEqual(claims, page);
    assert.deepEqual(claims?.tenants.map((m) => m.tenant_id), [fx.tenants.acme]);
    assert.equal(other, null, "another person's render claims are never handed out");
    assert.equal(await sharingPageTransaction(() => claimsOfRender(fx.users.acmeAdmin)), null);
    assert.equal(await claimsOfRender(fx.users.acmeAdmin), null, "outside a render");
  });
});
