// Uploaded brand images (lib/branding/assets.ts) under concurrency, on a real Postgres: a prune or
// the daily sweep never deletes an image between the check that no brand uses it and the commit of
// a write naming it (the upload, a site's setting naming its customer's logo). Two connections: the
// writer's transaction is held open at the point of its write until the prune waits on the brand
// image lock (seen in pg_stat_activity) or has finished (as it did before the lock), then commits.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { pruneTenantBrandAssets, pruneUnusedBrandAssets } from "@/lib/branding/assets";
import { uploadAsset } from "@/lib/branding/draft";
import { clearAllLocal } from "@/lib/cache";
import { setSettingValue } from "@/lib/settings";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(async () => {
  await db.drop();
});
beforeEach(async () => {
  await withClient(db.url, (c) => c.query("delete from public.tenant_settings where key like 'branding.%'; delete from public.brand_drafts; delete from public.brand_assets"));
  clearAllLocal();
});

const SVG = (fill: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><rect width="40" height="10" fill="${fill}"/></svg>`);
const stored = async (slug: keyof Fixtures["tenants"]) =>
  withClient(db.url, async (c) => (await c.query<{ sha256: string }>("select sha256 from public.brand_assets where tenant_id = $1", [fx.tenants[slug]])).rows.map((r) => r.sha256));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves once `done` has settled or another backend of this database waits on a lock. */
async function waitingOrDone(done: Promise<unknown>): Promise<"waiting" | "done"> {
  let settled = false;
  void done.then(
    () => (settled = true),
    () => (settled = true),
  );
  return withClient(db.url, async (c) => {
    for (let i = 0; i < 2000; i++) {
      if (settled) return "done";
      const { rows } = await c.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()",
      );
      if (rows[0].n > 0) return "waiting";
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error("neither finished nor waiting");
  });
}

/**
 * Runs `write` in a transaction of acme's admin and holds it open after; meanwhile `prune` runs on
 * another connection. The write commits once the prune waits (or is done). Returns what the prune returned.
 */
async function interleave(write: Parameters<typeof as>[2], prune: () => Promise<number>): Promise<{ pruned: number; order: string }> {
  const reached = deferred();
  const release = deferred();
  const writer = as(fx, "acmeAdmin", async (tx) => {
    await write(tx);
    reached.resolve();
    await release.promise;
  });
  writer.catch(() => reached.resolve());
  await reached.promise;
  const pruning = prune();
  const order = await waitingOrDone(pruning);
  release.resolve();
  await writer;
  return { pruned: await pruning, order };
}

/** An image acme keeps that nothing names, uploaded two hours ago. */
async function oldUnusedImage(fill: string): Promise<{ sha256: string; bytes: Buffer }> {
  const bytes = SVG(fill);
  const { sha256 } = await as(fx, "acmeAdmin", (tx) => uploadAsset(tx, fx.tenants.acme, "logoLight", bytes));
  await withClient(db.url, async (c) => {
    await c.query("delete from public.brand_drafts");
    await c.query("update public.brand_assets set created_at = now() - interval '2 hours' where sha256 = $1", [sha256]);
  });
  return { sha256, bytes };
}

describe("no image is deleted under a write naming it", () => {
  test("an upload of an image kept but unused, older than the grace: the sweep running meanwhile keeps it, and its hour restarts", async () => {
    const { sha256, bytes } = await oldUnusedImage("#123456");
    const { pruned, order } = await interleave(
      (tx) => uploadAsset(tx, fx.tenants.acme, "logoLight", bytes),
      () => pruneUnusedBrandAssets(),
    );
    assert.equal(order, "waiting", "the sweep waited for the upload's commit");
    assert.equal(pruned, 0, "the draft names it");
    assert.deepEqual(await stored("acme"), [sha256]);
    const { rows } = await withClient(db.url, (c) => c.query<{ young: boolean }>("select created_at > now() - interval '5 minutes' as young from public.brand_assets where sha256 = $1", [sha256]));
    assert.equal(rows[0].young, true, "uploaded again: created now, the sweep's grace restarts");
  });

  test("a site's setting naming its customer's unused image: the customer's prune running meanwhile keeps it", async () => {
    const { sha256 } = await oldUnusedImage("#654321");
    const { pruned, order } = await interleave(
      (tx) => setSettingValue(tx, { tenantId: fx.tenants["acme-eu"], key: "branding.logo_dark", raw: sha256 }),
      () => as(fx, "acmeAdmin", (tx) => pruneTenantBrandAssets(tx.db, fx.tenants.acme)),
    );
    assert.equal(order, "waiting", "the prune waited for the setting's commit");
    assert.equal(pruned, 0, "acme-eu names it");
    assert.deepEqual(await stored("acme"), [sha256]);
  });

  test("a draft written straight through the Data API (no brand-page code, migration 20261201033000): the sweep waits and keeps its image", async () => {
    const { sha256 } = await oldUnusedImage("#0f0f0f");
    const { pruned, order } = await interleave(
      (tx) =>
        tx.client.query(
          `insert into public.brand_drafts (tenant_id, draft) values ($1, jsonb_build_object('logoLight', $2::text))
           on conflict (tenant_id) do update set draft = excluded.draft`,
          [fx.tenants.acme, sha256],
        ),
      () => pruneUnusedBrandAssets(),
    );
    assert.equal(order, "waiting", "the sweep waited for the draft's commit");
    assert.equal(pruned, 0, "the draft names it");
    assert.deepEqual(await stored("acme"), [sha256]);
  });

  test("a site's favicon setting written straight through the Data API, naming its customer's image: the customer's sweep waits and keeps it", async () => {
    const { sha256 } = await oldUnusedImage("#f0f0f0");
    const { pruned, order } = await interleave(
      (tx) =>
        tx.client.query(`insert into public.tenant_settings (tenant_id, key, value) values ($1, 'branding.favicon', to_jsonb($2::text))`, [fx.tenants["acme-eu"], sha256]),
      () => pruneUnusedBrandAssets(),
    );
    assert.equal(order, "waiting", "the sweep waited for the setting's commit");
    assert.equal(pruned, 0, "acme-eu names it");
    assert.deepEqual(await stored("acme"), [sha256]);
  });

  test("the daily sweep against that setting too", async () => {
    const { sha256 } = await oldUnusedImage("#abcdef");
    const { pruned } = await interleave(
      (tx) => setSettingValue(tx, { tenantId: fx.tenants["acme-eu"], key: "branding.favicon", raw: sha256 }),
      () => pruneUnusedBrandAssets(),
    );
    assert.equal(pruned, 0);
    assert.deepEqual(await stored("acme"), [sha256]);
  });
});
