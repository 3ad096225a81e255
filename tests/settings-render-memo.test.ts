// A page render's transaction reads each tenant's effective settings once
// (lib/settings/resolve.ts): the layout's feature flags and the page's own
// settings come from one settings.effective statement. A write in the same
// transaction forgets what was read; outside a render every read asks again;
// a tenant the caller cannot see stays absent, however often it is asked for.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Caller } from "@/lib/db/claims";
import { readJoiningPage, runHostingReads, sharingPageTransaction } from "@/lib/db/render-transaction";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { effectiveConfig, effectiveConfigs } from "@/lib/settings/resolve";
import { featureEnabled } from "@/lib/settings/enforce";
import { setSettingValue } from "@/lib/settings/write";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

const acmeAdmin = (): Caller => ({ userId: fx.users.acmeAdmin, email: "acmeAdmin@example.test", activeTenantId: fx.tenants.acme });

/** Counts the settings.effective statements sent on this transaction's connection from now on. */
function countSettingsReads(tx: TenantTx): () => number {
  let n = 0;
  const original = tx.client.query.bind(tx.client) as (...args: unknown[]) => unknown;
  (tx.client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: string })?.text;
    if (text?.includes("settings.effective(")) n++;
    return original(...args);
  };
  return () => n;
}

/** Puts the connection's own query back before it returns to the pool. */
function restore(tx: TenantTx) {
  delete (tx.client as unknown as { query?: unknown }).query;
}

test("the layout's flag and the page's settings of one render: one settings.effective statement", async () => {
  const c = acmeAdmin();
  // The layout asks first, for the host's tenant; the page after, for its rows' tenants (a site among them).
  const { reads, layoutFlag, pageSla } = await sharingPageTransaction(async () => {
    let layoutDone!: () => void;
    const layoutFinished = new Promise<void>((r) => (layoutDone = r));
    const [page, layout] = await Promise.all([
      runHostingReads(c, async (tx) => {
        const count = countSettingsReads(tx);
        await layoutFinished;
        const configs = await effectiveConfigs(tx, [fx.tenants.acme, fx.tenants["acme-eu"]]);
        const again = await effectiveConfig(tx, fx.tenants.acme);
        const reads = count();
        restore(tx);
        assert.ok(configs.has(fx.tenants["acme-eu"]), "the site's settings too");
        return { sla: configs.get(fx.tenants.acme)!.value<number>("sla.high.ack_minutes"), again: again!.value<number>("sla.high.ack_minutes"), reads };
      }),
      readJoiningPage(c, async (tx) => featureEnabled(tx, fx.tenants.acme, "features.workflows")).finally(() => layoutDone()),
    ]);
    assert.equal(page.again, page.sla);
    return { reads: page.reads, layoutFlag: layout, pageSla: page.sla };
  });
  assert.equal(reads, 1, "one statement for the layout's flag, the page's two tenants and its second read");
  assert.equal(layoutFlag, true);
  assert.equal(typeof pageSla, "number");
});

test("a write in the render's transaction forgets what was read: the next read sees the new value", async () => {
  const c = acmeAdmin();
  const seen = await sharingPageTransaction(() =>
    runHostingReads(c, async (tx) => {
      const before = (await effectiveConfig(tx, fx.tenants.acme))!.value<number>("sla.high.ack_minutes");
      const next = before === 45 ? 50 : 45;
      await setSettingValue(tx, { tenantId: fx.tenants.acme, key: "sla.high.ack_minutes", raw: String(next) });
      const after = (await effectiveConfig(tx, fx.tenants.acme))!.value<number>("sla.high.ack_minutes");
      throw Object.assign(new Error("roll back"), { seen: { next, after } });
    }).catch((e: { seen?: { next: number; after: number } }) => e.seen),
  );
  assert.ok(seen, "the transaction ran and rolled back");
  assert.equal(seen.after, seen.next);
});

test("outside a render each read asks again, and an invisible tenant stays absent", async () => {
  const out = await withTenant(acmeAdmin(), async (tx) => {
    const count = countSettingsReads(tx);
    const first = await effectiveConfigs(tx, [fx.tenants.acme, fx.tenants.globex]);
    const second = await effectiveConfigs(tx, [fx.tenants.acme, fx.tenants.globex]);
    const reads = count();
    restore(tx);
    return { reads, first: [...first.keys()], second: [...second.keys()] };
  });
  assert.equal(out.reads, 2);
  assert.deepEqual(out.first, [fx.tenants.acme]);
  assert.deepEqual(out.second, [fx.tenants.acme]);
  const inRender = await sharingPageTransaction(() =>
    runHostingReads(acmeAdmin(), async (tx) => {
      const a = await effectiveConfigs(tx, [fx.tenants.globex, fx.tenants.acme]);
      const b = await effectiveConfigs(tx, [fx.tenants.globex]);
      return { a: [...a.keys()], b: [...b.keys()] };
    }),
  );
  assert.deepEqual(inRender, { a: [fx.tenants.acme], b: [] }, "Globex is no one's to see here, memo or not");
});
