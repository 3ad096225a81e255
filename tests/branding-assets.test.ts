// Uploaded brand images (lib/branding/assets.ts, draft.ts; migration
// 20261201032600) on a real Postgres under RLS: an image no brand uses any
// more is deleted when the brand page uploads over it, publishes or discards,
// and by the daily sweep (an hour's grace); one that a tenant below still
// names (its setting or its draft) stays; a tenant keeps at most 50 images,
// and the database refuses the 51st inserted through the Data API.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, beforeEach, describe, test } from "node:test";
import { MAX_BRAND_ASSETS, pruneUnusedBrandAssets } from "@/lib/branding/assets";
import { discardDraft, publishDraft, uploadAsset } from "@/lib/branding/draft";
import { BRAND_ASSETS_CRONTAB, BRAND_ASSETS_TASK } from "@/lib/branding/tasks";
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
  withClient(db.url, async (c) => (await c.query<{ sha256: string }>("select sha256 from public.brand_assets where tenant_id = $1 order by sha256", [fx.tenants[slug]])).rows.map((r) => r.sha256).sort());
const sorted = (...shas: string[]) => [...shas].sort();

/** An insert as a tenant admin could write it through the Data API (the grant and policy allow it). */
const dataApiInsert = (n: number) =>
  as(fx, "acmeAdmin", (tx) =>
    tx.client.query(
      `insert into public.brand_assets (tenant_id, sha256, content_type, bytes, width, height)
       select $1, encode(extensions.digest(b, 'sha256'), 'hex'), 'image/png', b, 1, 1 from (select convert_to($2, 'UTF8') b) s
       on conflict (tenant_id, sha256) do nothing`,
      [fx.tenants.acme, `image ${n}`],
    ),
  );
const shaOf = (n: number) => createHash("sha256").update(`image ${n}`).digest("hex");

describe("images no brand uses are deleted", () => {
  test("an upload over the draft's image deletes the replaced one; discarding the draft deletes its images", async () => {
    const a = await as(fx, "acmeAdmin", (tx) => uploadAsset(tx, fx.tenants.acme, "logoLight", SVG("#111111")));
    const fav = await as(fx, "acmeAdmin", (tx) => uploadAsset(tx, fx.tenants.acme, "favicon", SVG("#222222")));
    assert.deepEqual(await stored("acme"), sorted(a.sha256, fav.sha256));
    const b = await as(fx, "acmeAdmin", (tx) => uploadAsset(tx, fx.tenants.acme, "logoLight", SVG("#333333")));
    assert.deepEqual(await stored("acme"), sorted(b.sha256, fav.sha256), "the first logo went with its replacement");
    await as(fx, "acmeAdmin", (tx) => discardDraft(tx, fx.tenants.acme));
    assert.deepEqual(await stored("acme"), [], "nothing published uses them");
  });

  test("publishing deletes the logo the brand replaced; one a tenant below still names (setting or draft) stays until it doesn't", async () => {
    const a = await as(fx, "acmeAdmin", (tx) => uploadAsset(tx, fx.tenants.acme, "logoLight", SVG("#111111")));
    await as(fx, "acmeAdmin", (tx) => publishDraft(tx, fx.tenants.acme));
    assert.deepEqual(await stored("acme"), [a.sha256], "published: in use");

    // A site below names the customer's logo in its own setting (the asset route finds it among its ancestors).
    await as(fx, "acmeAdmin", (tx) => setSettingValue(tx, { tenantId: fx.tenants["acme-eu"], key: "branding.logo_dark", raw: a.sha256 }));
    const b = await as(fx, "acmeAdmin", (tx) => uploadAsset(tx, fx.tenants.acme, "logoLight", SVG("#333333")));
    await as(fx, "acmeAdmin", (tx) => publishDraft(tx, fx.tenants.acme));
    assert.deepEqual(await stored("acme"), sorted(a.sha256, b.sha256), "the replaced logo stays: acme-eu uses it");

    // Only another site's draft names it now.
    await withClient(db.url, (c) => c.query("delete from public.tenant_settings where tenant_id = $1 and key = 'branding.logo_dark'", [fx.tenants["acme-eu"]]));
    await as(fx, "acmeAdmin", (tx) => tx.client.query(`insert into public.brand_drafts (tenant_id, draft) values ($1, jsonb_build_object('favicon', $2::text))`, [fx.tenants["acme-us"], a.sha256]));
    const later = new Date(Date.now() + 2 * 3600 * 1000);
    assert.equal(await pruneUnusedBrandAssets({ now: later }), 0, "a draft below keeps it");
    assert.deepEqual(await stored("acme"), sorted(a.sha256, b.sha256));

    await as(fx, "acmeAdmin", (tx) => discardDraft(tx, fx.tenants["acme-us"]));
    assert.equal(await pruneUnusedBrandAssets({ now: later }), 1);
    assert.deepEqual(await stored("acme"), [b.sha256], "the published logo stays, the unused one went");
  });

  test("the daily sweep deletes what the Data API left, after an hour's grace, in every tenant", async () => {
    await dataApiInsert(1);
    assert.equal(await pruneUnusedBrandAssets(), 0, "young: an insert may name it in a draft next");
    assert.deepEqual(await stored("acme"), [shaOf(1)]);
    assert.equal(await pruneUnusedBrandAssets({ now: new Date(Date.now() + 2 * 3600 * 1000) }), 1);
    assert.deepEqual(await stored("acme"), []);
    // The tenant's trail says what the system deleted (no actor), naming the image.
    const [row] = await withClient(db.url, async (c) =>
      (await c.query("select actor_id, outcome, details from public.audit_log where tenant_id = $1 and action = 'brand.assets-pruned' order by seq desc limit 1", [fx.tenants.acme])).rows,
    );
    assert.deepEqual([row?.actor_id, row?.outcome, row?.details.deleted, row?.details.images], [null, "success", 1, [shaOf(1)]]);
    assert.match(BRAND_ASSETS_CRONTAB, new RegExp(`^\\d+ \\d+ \\* \\* \\* ${BRAND_ASSETS_TASK}$`), "a daily crontab entry");
  });
});

describe(`at most ${MAX_BRAND_ASSETS} images per tenant`, () => {
  test("the database refuses the 51st image inserted through the Data API, naming the limit and what to do; the same image again passes", async () => {
    for (let n = 0; n < MAX_BRAND_ASSETS; n++) await dataApiInsert(n);
    assert.equal((await stored("acme")).length, MAX_BRAND_ASSETS);
    await assert.rejects(dataApiInsert(MAX_BRAND_ASSETS), (e: Error & { code?: string; hint?: string }) => {
      assert.equal(e.code, "54000");
      assert.equal(e.hint, "brand_asset_limit");
      assert.match(e.message, /at most 50 uploaded brand images; publish or discard its brand draft/);
      return true;
    });
    await dataApiInsert(7);
    assert.equal((await stored("acme")).length, MAX_BRAND_ASSETS, "an image it already holds is not a new one");
    // Another tenant has its own count.
    await as(fx, "acmeAdmin", (tx) => uploadAsset(tx, fx.tenants["acme-eu"], "favicon", SVG("#444444")));
    assert.equal((await stored("acme-eu")).length, 1);
  });

  test("the brand page's upload into a full tenant first deletes the images no brand uses, then goes through", async () => {
    for (let n = 0; n < MAX_BRAND_ASSETS; n++) await dataApiInsert(n);
    const logo = await as(fx, "acmeAdmin", (tx) => uploadAsset(tx, fx.tenants.acme, "logoLight", SVG("#555555")));
    assert.deepEqual(await stored("acme"), [logo.sha256]);
  });
});
