// The console's Keys page data (lib/vault/rotation-page.ts) against a real
// database, real RLS and the real PDP, at more than one page of tenants:
//   - 50 rows per page in tree order, counts per filter, the page clamped;
//   - search (case-insensitive, LIKE wildcards taken literally) and filters
//     (with credentials, rotation pending: a retiring key or an unfinished or
//     failed rotation, never rotated);
//   - RLS decides which tenants exist: another MSSP's admin sees none of
//     these, and its counts do not include them; the live route's loader
//     returns nothing for a tenant the caller cannot see;
//   - the PDP decides the rotate buttons (analysts get none);
//   - bad URL values are dropped with a message, never thrown.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import pg from "pg";
import { withTenant } from "@/lib/db/with-tenant";
import { activeKeyFor } from "@/lib/vault/keys";
import { ROTATE_DEK_KIND } from "@/lib/vault/rotation";
import { DEFAULT_KEYS_QUERY, KEYS_PAGE_SIZE, loadKeysLive, loadKeysPage, parseKeysQuery, type KeysQuery } from "@/lib/vault/rotation-page";
import { sealSecret } from "@/lib/vault/seal";
import { useFixtureEnv } from "./helpers/fixture-env";
import { type UserName } from "./helpers/fixtures";

let owner: pg.Client;
const env = useFixtureEnv({ beforeDrop: () => owner?.end() });
const SITES = 60;
const site = (n: number) => `globex-site-${String(n).padStart(2, "0")}`;
const siteIds = new Map<string, string>();

env.before(async () => {
  owner = new pg.Client({ connectionString: env.db.url });
  await owner.connect();
  for (let n = 1; n <= SITES; n++) {
    const { rows } = await owner.query<{ id: string }>(
      "insert into public.tenants (parent_id, slug, name, kind) values ($1, $2, $3, 'site') returning id",
      [env.fx.tenants.globex, site(n), `Globex Site ${n}`],
    );
    siteIds.set(site(n), rows[0].id);
  }
  // Two credentials in acme, sealed under its active key.
  const key = await activeKeyFor(env.fx.tenants.acme);
  for (const name of ["EDR", "SIEM"]) {
    const id = randomUUID();
    await owner.query(
      `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
       values ($1, $2, 'generic_api_key', $3, $4, $5, 'abcd')`,
      [env.fx.tenants.acme, id, name, sealSecret(key.dek, { tenantId: env.fx.tenants.acme, credentialId: id, keyVersion: key.version }, "s3cret-value"), key.version],
    );
  }
  // acme-eu was rotated once; site 3's rotation failed; acme-us has a retiring key (a rotation cut short).
  await owner.query(
    `insert into public.jobs (tenant_id, kind, status, finished_at, result) values ($1, $2, 'succeeded', now(), '{}')`,
    [env.fx.tenants["acme-eu"], ROTATE_DEK_KIND],
  );
  await owner.query(`insert into public.jobs (tenant_id, kind, status, finished_at, last_error) values ($1, $2, 'failed', now(), 'boom')`, [
    siteIds.get(site(3)),
    ROTATE_DEK_KIND,
  ]);
  await owner.query("select keyring.create_tenant_key($1)", [env.fx.tenants["acme-us"]]);
});

const load = (user: UserName, query: Partial<KeysQuery> = {}) =>
  withTenant({ userId: env.fx.users[user], activeTenantId: null }, (tx) => loadKeysPage(tx, { ...DEFAULT_KEYS_QUERY, ...query }));
const slugs = (rows: { slug: string }[]) => rows.map((r) => r.slug);
const MSSP_A = 5 + SITES;

describe("the Keys page at more than one page of tenants", () => {
  test("page 1: 50 rows in tree order, every filter counted, KEK card and rotate buttons from the PDP", async () => {
    const data = await load("msspAdmin");
    assert.equal(data.total, MSSP_A);
    assert.equal(data.pageCount, 2);
    assert.equal(data.tenants.length, KEYS_PAGE_SIZE);
    assert.deepEqual(slugs(data.tenants).slice(0, 6), ["mssp-a", "acme", "acme-eu", "acme-us", "globex", site(1)]);
    assert.equal(data.tenants.at(-1)!.slug, site(45));
    assert.deepEqual(data.counts, { all: MSSP_A, "with-credentials": 1, "rotation-pending": 2, "never-rotated": MSSP_A - 1 });
    assert.ok(data.tenants.every((t) => t.canRotate));
    assert.equal(data.pdpUnavailable, false);
    assert.deepEqual(
      data.keks.map((k) => [k.mssp.slug, k.canRotate]),
      [["mssp-a", true]],
    );
    const acme = data.tenants.find((t) => t.slug === "acme")!;
    assert.equal(acme.credentialsTotal, 2);
    assert.equal(acme.depth, 1);
    assert.equal(acme.parentName, "Tenant mssp-a");
    const acmeUs = data.tenants.find((t) => t.slug === "acme-us")!;
    assert.deepEqual([acmeUs.active?.version, acmeUs.retiring.map((v) => v.version)], [2, [1]]);
    assert.ok(data.tenants.find((t) => t.slug === "acme-eu")!.lastRotation);
  });

  test("page 2 holds the rest; a page past the end shows the last page", async () => {
    const two = await load("msspAdmin", { page: 2 });
    assert.deepEqual(slugs(two.tenants), Array.from({ length: 15 }, (_, i) => site(46 + i)));
    assert.equal(two.query.page, 2);
    const past = await load("msspAdmin", { page: 99 });
    assert.equal(past.query.page, 2);
    assert.deepEqual(slugs(past.tenants), slugs(two.tenants));
  });

  test("search: name or slug, any case; LIKE wildcards are literal", async () => {
    const acme = await load("msspAdmin", { q: "ACME" });
    assert.deepEqual(slugs(acme.tenants), ["acme", "acme-eu", "acme-us"]);
    assert.equal(acme.counts.all, 3);
    assert.equal(acme.counts["rotation-pending"], 1);
    const byName = await load("msspAdmin", { q: "site 5" });
    assert.deepEqual(slugs(byName.tenants), [site(5), ...Array.from({ length: 10 }, (_, i) => site(50 + i))]);
    for (const q of ["%", "_", "\\"]) assert.equal((await load("msspAdmin", { q })).total, 0, `search ${q}`);
  });

  test("filters: with credentials, rotation pending, never rotated", async () => {
    assert.deepEqual(slugs((await load("msspAdmin", { filter: "with-credentials" })).tenants), ["acme"]);
    const pending = await load("msspAdmin", { filter: "rotation-pending" });
    assert.deepEqual(slugs(pending.tenants), ["acme-us", site(3)]);
    assert.equal(pending.tenants[1].latestJob?.status, "failed");
    const never = await load("msspAdmin", { filter: "never-rotated", q: "acme" });
    assert.deepEqual(slugs(never.tenants), ["acme", "acme-us"]);
    const none = await load("msspAdmin", { filter: "with-credentials", q: "globex" });
    assert.deepEqual([none.total, none.tenants.length, none.pageCount, none.query.page], [0, 0, 1, 1]);
  });

  test("RLS decides which tenants exist: another MSSP's admin sees and counts only its own", async () => {
    const b = await load("msspBAdmin");
    assert.deepEqual(slugs(b.tenants), ["mssp-b", "other-co"]);
    assert.deepEqual(b.counts, { all: 2, "with-credentials": 0, "rotation-pending": 0, "never-rotated": 2 });
    assert.deepEqual(
      b.keks.map((k) => k.mssp.slug),
      ["mssp-b"],
    );
    assert.ok(b.recentJobs.every((j) => j.tenantId === env.fx.tenants["mssp-b"] || j.tenantId === env.fx.tenants["other-co"]));
    const probe = await withTenant({ userId: env.fx.users.msspBAdmin, activeTenantId: null }, (tx) =>
      loadKeysLive(tx, [env.fx.tenants["acme-us"], env.fx.tenants["other-co"]]),
    );
    assert.deepEqual(slugs(probe.tenants), ["other-co"]);
  });

  test("an MSSP analyst gets no rotate button; the live rows match the page's", async () => {
    const data = await load("msspAnalyst", { q: "acme" });
    assert.ok(data.tenants.length === 3 && data.tenants.every((t) => !t.canRotate));
    assert.ok(data.keks.every((k) => !k.canRotate));
    const live = await withTenant({ userId: env.fx.users.msspAdmin, activeTenantId: null }, (tx) => loadKeysLive(tx, [env.fx.tenants["acme-us"]]));
    const page = await load("msspAdmin", { q: "acme-us" });
    assert.deepEqual(live.tenants, page.tenants);
    assert.deepEqual(live.keks, page.keks);
    // At most one page of ids per live request: 50 pass, 51 are refused by the schema (with a real transaction, so only the bound can refuse).
    const ids = (n: number) => Array.from({ length: n }, () => randomUUID());
    assert.deepEqual((await withTenant({ userId: env.fx.users.msspAdmin, activeTenantId: null }, (tx) => loadKeysLive(tx, ids(KEYS_PAGE_SIZE)))).tenants, []);
    await assert.rejects(
      withTenant({ userId: env.fx.users.msspAdmin, activeTenantId: null }, (tx) => loadKeysLive(tx, ids(KEYS_PAGE_SIZE + 1))),
      (e: unknown) => (e as { name?: string }).name === "ZodError" && (e as { issues: { code: string }[] }).issues[0]?.code === "too_big",
    );
  });
});

describe("the Keys page's URL", () => {
  test("valid values are taken, bad ones dropped with a message", () => {
    assert.deepEqual(parseKeysQuery({ q: "  acme ", filter: "never-rotated", page: "3" }), {
      query: { q: "acme", filter: "never-rotated", page: 3 },
      problems: [],
    });
    const bad = parseKeysQuery({ filter: "bogus", page: "abc", q: "x".repeat(101) });
    assert.deepEqual(bad.query, DEFAULT_KEYS_QUERY);
    assert.equal(bad.problems.length, 3);
    assert.match(bad.problems.join("\n"), /Ignored the filter "bogus": choose one of all tenants, with credentials, rotation pending, never rotated\./);
    assert.match(bad.problems.join("\n"), /Ignored the page "abc": pages are numbered/);
    assert.match(bad.problems.join("\n"), /Ignored the search "x{40}…": a search is at most 100 characters/);
    assert.deepEqual(parseKeysQuery({ page: ["2", "5"], q: "" }).query, { ...DEFAULT_KEYS_QUERY, page: 2 });
    assert.equal(parseKeysQuery({ page: "0" }).problems.length, 1);
    assert.equal(parseKeysQuery({ q: "a\u0000b" }).problems.length, 1);
  });
});
