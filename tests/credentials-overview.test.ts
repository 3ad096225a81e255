// The console's Credentials page data (lib/credentials/overview.ts) against a
// real database, real RLS and the real PDP:
//   - RLS decides which credentials exist: mssp-a's admin sees acme, its sites
//     and globex, never mssp-b's other-co, not even in the counts; a customer
//     admin sees its own subtree only;
//   - urgency order (expired first, then the soonest expiry, then tree order
//     and name), 50 rows a page, a page past the end clamped to the last;
//   - filters: status (expired, expiring, never used, healthy), connector,
//     search on credential name or tenant name/slug (any case, LIKE's % and _
//     taken literally), each chip counted within the search and connector;
//   - summary counts (stat cards, the chart per connector) over the whole scope;
//   - masked rows only: no statement names the sealed column, no row carries it;
//   - the PDP: credentials:view on the MSSP root opens the page,
//     credentials:manage per row decides Manage or View;
//   - bad URL values are dropped with a message, never thrown.
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import pg from "pg";
import { createCredential, type ConnectorKind } from "@/lib/credentials";
import {
  DEFAULT_OVERVIEW_QUERY,
  OVERVIEW_PAGE_SIZE,
  loadCredentialsAttention,
  loadCredentialsOverview,
  overviewHref,
  parseOverviewQuery,
  readCredentialsOverview,
  type OverviewQuery,
} from "@/lib/credentials/overview";
import { loadCredentialsPageFor } from "@/lib/credentials/page-data";
import type { TenantTx } from "@/lib/db/with-tenant";
import { activeKeyFor } from "@/lib/vault/keys";
import { sealSecret } from "@/lib/vault/seal";
import { useFixtureEnv } from "./helpers/fixture-env";
import { type TenantSlug, type UserName } from "./helpers/fixtures";

let owner: pg.Client;
const env = useFixtureEnv({ beforeDrop: () => owner?.end() });

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Every read uses this `now`, so statuses do not drift while the file runs. */
const NOW = new Date();
const at = (ms: number) => new Date(NOW.getTime() + ms);

const alnum = (n: number) => {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(n)].map((b) => chars[b % chars.length]).join("");
};
const VALID: Record<ConnectorKind, { config: Record<string, string>; secret: () => string }> = {
  crowdstrike_falcon: { config: { region: "eu-1", clientId: randomBytes(16).toString("hex") }, secret: () => alnum(40) },
  sentinelone: { config: { consoleUrl: "https://acme.sentinelone.net/" }, secret: () => `eyJ${alnum(60)}.${alnum(40)}` },
  microsoft_defender: { config: { directoryId: randomUUID(), applicationId: randomUUID() }, secret: () => `${alnum(8)}~${alnum(31)}` },
  splunk_hec: { config: { hecUrl: "https://splunk.example.com:8088", index: "security" }, secret: () => randomUUID() },
  generic_api_key: { config: { baseUrl: "https://api.example.com/v1" }, secret: () => alnum(24) },
};

interface Planted {
  tenant: TenantSlug;
  connector: ConnectorKind;
  name: string;
  /** Days from NOW; null for no expiry. */
  expiresIn: number | null;
  used: boolean;
}

// The named credentials; BULK more in globex ("bulk 01" … expiring in 20 … 79 days, used).
const PLANTED: Planted[] = [
  { tenant: "acme", connector: "crowdstrike_falcon", name: "Falcon production", expiresIn: 180, used: true },
  { tenant: "acme", connector: "splunk_hec", name: "Splunk forwarding", expiresIn: 6, used: true },
  { tenant: "acme-eu", connector: "microsoft_defender", name: "Defender EU", expiresIn: -9, used: true },
  { tenant: "acme-us", connector: "generic_api_key", name: "100% coverage", expiresIn: null, used: false },
  { tenant: "globex", connector: "sentinelone", name: "SentinelOne console", expiresIn: null, used: false },
  { tenant: "globex", connector: "generic_api_key", name: "EDR_backup", expiresIn: -1, used: false },
  // Another MSSP's customer: the most urgent of all, and its name matches "acme".
  { tenant: "other-co", connector: "crowdstrike_falcon", name: "Acme lookalike", expiresIn: -30, used: false },
];
const BULK = 60;
const bulk = (n: number) => `bulk ${String(n).padStart(2, "0")}`;

env.before(async () => {
  owner = new pg.Client({ connectionString: env.db.url });
  await owner.connect();
  // The named ones through the store, as each tenant's admin would add them.
  const adminOf: Record<TenantSlug, UserName> = {
    "mssp-a": "msspAdmin",
    acme: "acmeAdmin",
    "acme-eu": "acmeEuAdmin",
    "acme-us": "acmeUsAdmin",
    globex: "globexAdmin",
    "mssp-b": "msspBAdmin",
    "other-co": "otherCoAdmin",
  };
  for (const p of PLANTED) {
    const created = await env.as(adminOf[p.tenant], (tx) =>
      createCredential(tx, {
        tenantId: env.fx.tenants[p.tenant],
        connector: p.connector,
        name: p.name,
        config: VALID[p.connector].config,
        secret: VALID[p.connector].secret(),
        expiresAt: p.expiresIn === null ? null : at(p.expiresIn * DAY),
      }),
    );
    if (p.used) await owner.query("update public.credentials set last_used_at = $3 where tenant_id = $1 and id = $2", [created.tenantId, created.id, at(-2 * HOUR)]);
  }
  // The bulk, sealed under globex's active key, inserted in one statement.
  const key = await activeKeyFor(env.fx.tenants.globex);
  const ids = Array.from({ length: BULK }, () => randomUUID());
  await owner.query(
    `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint, expires_at, last_used_at)
     select $1, u.id, 'generic_api_key', u.name, u.sealed, $4, 'wxyz', u.expires_at, $6
       from unnest($2::uuid[], $3::text[], $5::bytea[], $7::timestamptz[]) as u(id, name, sealed, expires_at)`,
    [
      env.fx.tenants.globex,
      ids,
      ids.map((_, i) => bulk(i + 1)),
      key.version,
      ids.map((id) => sealSecret(key.dek, { tenantId: env.fx.tenants.globex, credentialId: id, keyVersion: key.version }, `bulk-${alnum(20)}`)),
      at(-HOUR),
      ids.map((_, i) => at((20 + i) * DAY)),
    ],
  );
});

/** Runs the read as `user` (the console: no active tenant), recording every statement's text. */
async function read(user: UserName, query: Partial<OverviewQuery> = {}, statements: string[] = []) {
  return env.as(user, (tx) => readCredentialsOverview(spying(tx, statements), { ...DEFAULT_OVERVIEW_QUERY, ...query }, NOW));
}

function spying(tx: TenantTx, statements: string[]): TenantTx {
  const client = tx.client;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const spy = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== "query") return Reflect.get(target, prop, receiver);
      return (...args: unknown[]) => {
        const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: string }).text;
        statements.push(String(text));
        return query(...args);
      };
    },
  });
  return { ...tx, client: spy };
}

const names = (data: { rows: { name: string }[] }) => data.rows.map((r) => r.name);
const bulkRange = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => bulk(from + i));
const MSSP_A = 6 + BULK;

describe("who sees what (RLS)", () => {
  test("mssp-a's admin sees acme, its sites and globex, never other-co, not even in the counts", async () => {
    const data = await read("msspAdmin");
    assert.equal(data.total, MSSP_A);
    assert.equal(data.summary.total, MSSP_A);
    const tenants = new Set([...data.rows, ...(await read("msspAdmin", { page: 2 })).rows].map((r) => r.tenantSlug));
    assert.deepEqual([...tenants].sort(), ["acme", "acme-eu", "acme-us", "globex"]);
    assert.deepEqual(
      { ...data.summary, byConnector: undefined },
      { total: MSSP_A, expired: 2, expiring: 1, neverUsed: 3, healthy: BULK + 1, unusedValid: 2, byConnector: undefined },
    );
    assert.deepEqual(data.counts, { all: MSSP_A, expired: 2, expiring: 1, "never-used": 3, healthy: BULK + 1 });
    // other-co's expired CrowdStrike credential is in no count.
    const crowdstrike = data.summary.byConnector.find((c) => c.connector === "crowdstrike_falcon")!;
    assert.deepEqual(crowdstrike, { connector: "crowdstrike_falcon", total: 1, expired: 0, expiring: 0, neverUsed: 0, healthy: 1, unusedValid: 0 });
    // Searching for the other MSSP's credential by name finds nothing.
    assert.deepEqual(names(await read("msspAdmin", { q: "lookalike" })), []);
  });

  test("the summary per connector covers every connector and adds up", async () => {
    const { summary } = await read("msspAdmin");
    assert.deepEqual(
      summary.byConnector.map((c) => [c.connector, c.total, c.expired, c.expiring, c.unusedValid, c.healthy]),
      [
        ["crowdstrike_falcon", 1, 0, 0, 0, 1],
        ["sentinelone", 1, 0, 0, 1, 0],
        ["microsoft_defender", 1, 1, 0, 0, 0],
        ["splunk_hec", 1, 0, 1, 0, 0],
        ["generic_api_key", 2 + BULK, 1, 0, 1, BULK],
      ],
    );
    for (const c of summary.byConnector) assert.equal(c.expired + c.expiring + c.unusedValid + c.healthy, c.total, c.connector);
  });

  test("mssp-b's admin sees only other-co's credential", async () => {
    const data = await read("msspBAdmin");
    assert.deepEqual(names(data), ["Acme lookalike"]);
    assert.equal(data.summary.total, 1);
    assert.equal(data.rows[0].tenantSlug, "other-co");
  });

  test("a customer admin sees its own subtree only; a site admin its site", async () => {
    const acme = await read("acmeAdmin");
    assert.deepEqual(names(acme), ["Defender EU", "Splunk forwarding", "Falcon production", "100% coverage"]);
    assert.deepEqual(acme.counts, { all: 4, expired: 1, expiring: 1, "never-used": 1, healthy: 1 });
    assert.equal(acme.summary.total, 4);
    assert.deepEqual(names(await read("acmeEuAdmin")), ["Defender EU"]);
    const globex = await read("globexAdmin");
    assert.equal(globex.summary.total, 2 + BULK);
    assert.ok(globex.rows.every((r) => r.tenantSlug === "globex"));
  });

  test("a user with no membership sees nothing, and gets zeros, not an error", async () => {
    const data = await read("noMemberships");
    assert.deepEqual(data.rows, []);
    assert.equal(data.summary.total, 0);
    assert.equal(data.pageCount, 1);
    assert.deepEqual(data.summary.byConnector.map((c) => c.total), [0, 0, 0, 0, 0]);
  });
});

describe("order and paging", () => {
  test("page 1: expired first, then the soonest expiry; 50 rows", async () => {
    const data = await read("msspAdmin");
    assert.equal(data.pageSize, OVERVIEW_PAGE_SIZE);
    assert.equal(data.pageCount, 2);
    assert.deepEqual(names(data), ["Defender EU", "EDR_backup", "Splunk forwarding", ...bulkRange(1, 47)]);
    assert.deepEqual(
      data.rows.slice(0, 3).map((r) => [r.status, r.daysLeft]),
      [
        ["expired", -9],
        ["expired", -1],
        ["expiring", 6],
      ],
    );
    const defender = data.rows[0];
    assert.equal(defender.tenantKind, "site");
    assert.equal(defender.connector, "microsoft_defender");
    assert.match(defender.masked, /^••••.{4}$/);
    assert.ok(defender.lastUsedAt && defender.createdAt instanceof Date);
  });

  test("page 2: the rest, then those without an expiry in tree order; a page past the end is the last", async () => {
    const two = await read("msspAdmin", { page: 2 });
    assert.deepEqual(names(two), [...bulkRange(48, 60), "Falcon production", "100% coverage", "SentinelOne console"]);
    assert.equal(two.query.page, 2);
    const past = await read("msspAdmin", { page: 99 });
    assert.equal(past.query.page, 2);
    assert.deepEqual(names(past), names(two));
  });
});

describe("filters", () => {
  test("status: expired, expiring, never used, healthy", async () => {
    assert.deepEqual(names(await read("msspAdmin", { status: "expired" })), ["Defender EU", "EDR_backup"]);
    assert.deepEqual(names(await read("msspAdmin", { status: "expiring" })), ["Splunk forwarding"]);
    assert.deepEqual(names(await read("msspAdmin", { status: "never-used" })), ["EDR_backup", "100% coverage", "SentinelOne console"]);
    const healthy = await read("msspAdmin", { status: "healthy" });
    assert.equal(healthy.total, BULK + 1);
    assert.deepEqual(names(healthy), bulkRange(1, 50));
    assert.deepEqual(names(await read("msspAdmin", { status: "healthy", page: 2 })), [...bulkRange(51, 60), "Falcon production"]);
  });

  test("connector: its rows, and the chips counted within it; the summary stays whole", async () => {
    const splunk = await read("msspAdmin", { connector: "splunk_hec" });
    assert.deepEqual(names(splunk), ["Splunk forwarding"]);
    assert.deepEqual(splunk.counts, { all: 1, expired: 0, expiring: 1, "never-used": 0, healthy: 0 });
    assert.equal(splunk.summary.total, MSSP_A);
    const generic = await read("msspAdmin", { connector: "generic_api_key", status: "never-used" });
    assert.deepEqual(names(generic), ["EDR_backup", "100% coverage"]);
  });

  test("search: credential name or tenant name or slug, any case", async () => {
    const acme = await read("msspAdmin", { q: "ACME" });
    assert.deepEqual(names(acme), ["Defender EU", "Splunk forwarding", "Falcon production", "100% coverage"]);
    assert.deepEqual(acme.counts, { all: 4, expired: 1, expiring: 1, "never-used": 1, healthy: 1 });
    assert.equal(acme.summary.total, MSSP_A);
    assert.deepEqual(names(await read("msspAdmin", { q: "acme-eu" })), ["Defender EU"]);
    assert.deepEqual(names(await read("msspAdmin", { q: "falcon" })), ["Falcon production"]);
    assert.equal((await read("msspAdmin", { q: "tenant globex" })).total, 2 + BULK);
    assert.deepEqual(names(await read("msspAdmin", { q: "acme", status: "expired" })), ["Defender EU"]);
  });

  test("search: % and _ are literal characters, not wildcards", async () => {
    assert.deepEqual(names(await read("msspAdmin", { q: "%" })), ["100% coverage"]);
    assert.deepEqual(names(await read("msspAdmin", { q: "0% c" })), ["100% coverage"]);
    assert.deepEqual(names(await read("msspAdmin", { q: "_" })), ["EDR_backup"]);
    assert.deepEqual(names(await read("msspAdmin", { q: "r_b" })), ["EDR_backup"]);
    assert.equal((await read("msspAdmin", { q: "bulk_0" })).total, 0);
    assert.equal((await read("msspAdmin", { q: "\\" })).total, 0);
  });

  test("nothing matches: zero rows, one page, and no page query", async () => {
    const statements: string[] = [];
    const none = await read("msspAdmin", { q: "no such credential" }, statements);
    assert.deepEqual(none.rows, []);
    assert.equal(none.total, 0);
    assert.equal(none.pageCount, 1);
    assert.equal(statements.length, 1);
  });
});

describe("secrets", () => {
  test("masked rows only: no statement names the sealed column, no row carries it or any bytes", async () => {
    const statements: string[] = [];
    const data = await read("msspAdmin", {}, statements);
    await read("msspAdmin", { status: "expired", q: "e", connector: "microsoft_defender" }, statements);
    assert.ok(statements.length >= 3);
    for (const s of statements) {
      assert.doesNotMatch(s, /sealed/i);
      assert.doesNotMatch(s, /select\s+\*|\w\.\*/i, "explicit columns only");
    }
    for (const row of data.rows) {
      assert.equal("sealed" in row, false);
      for (const [k, v] of Object.entries(row)) assert.ok(!Buffer.isBuffer(v) && !(v instanceof Uint8Array), k);
      assert.deepEqual(Object.keys(row).sort(), [
        "connector",
        "createdAt",
        "daysLeft",
        "expiresAt",
        "id",
        "lastUsedAt",
        "masked",
        "name",
        "rotatedAt",
        "status",
        "tenantId",
        "tenantKind",
        "tenantName",
        "tenantPath",
        "tenantSlug",
        "tenantStatus",
      ]);
    }
    assert.doesNotMatch(JSON.stringify(data), /sealed/);
  });
});

describe("with the PDP", () => {
  const load = (user: UserName, query: Partial<OverviewQuery> = {}) =>
    env.as(user, (tx) => loadCredentialsOverview(tx, { ...DEFAULT_OVERVIEW_QUERY, ...query }, NOW));

  test("an MSSP admin may manage every row", async () => {
    const data = await load("msspAdmin");
    assert.ok(data.allowed);
    assert.equal(data.rows.length, OVERVIEW_PAGE_SIZE);
    assert.ok(data.rows.every((r) => r.canManage));
  });

  test("an MSSP analyst sees the same rows, to view only", async () => {
    const data = await load("msspAnalyst");
    assert.ok(data.allowed);
    assert.equal(data.total, MSSP_A);
    assert.ok(data.rows.every((r) => !r.canManage));
  });

  test("the console Overview's credentials line: the same counts as the page, for MSSP staff only", async () => {
    const page = await load("msspAdmin");
    assert.ok(page.allowed);
    for (const user of ["msspAdmin", "msspAnalyst"] as const) {
      const counts = await env.as(user, (tx) => loadCredentialsAttention(tx, NOW));
      assert.deepEqual(counts, { total: MSSP_A, expired: page.summary.expired, expiring: page.summary.expiring, neverUsed: page.summary.neverUsed, healthy: page.summary.healthy, unusedValid: page.summary.unusedValid });
    }
    // mssp-a's expired ones: Defender EU and EDR_backup (other-co's "Acme lookalike" is mssp-b's, never counted here).
    assert.equal(page.summary.expired, 2);
    assert.equal((await env.as("msspBAdmin", (tx) => loadCredentialsAttention(tx, NOW)))?.expired, 1);
    assert.equal(await env.as("acmeAdmin", (tx) => loadCredentialsAttention(tx, NOW)), null);
    assert.equal(await env.as("noMemberships", (tx) => loadCredentialsAttention(tx, NOW)), null);
  });

  test("without an MSSP membership the page is not for you", async () => {
    assert.deepEqual(await load("acmeAdmin"), { allowed: false });
    assert.deepEqual(await load("noMemberships"), { allowed: false });
  });
});

// The overview's Manage/View links open one tenant's credentials in the
// console (lib/credentials/page-data.ts loadCredentialsPageFor).
describe("one tenant's credentials from the console", () => {
  const open = (user: UserName, slug: string) => env.as(user, (tx) => loadCredentialsPageFor(tx, slug));

  test("an MSSP admin manages a customer's, a site's and the MSSP's own credentials", async () => {
    for (const slug of ["acme", "acme-eu", "globex", "mssp-a"] as const) {
      const data = await open("msspAdmin", slug);
      assert.equal(data.selected?.slug, slug);
      assert.equal(data.selected?.canManage, true, slug);
      assert.deepEqual(data.tenants.map((t) => t.slug), [slug]);
    }
    const acme = await open("msspAdmin", "acme");
    assert.deepEqual(acme.credentials.map((c) => c.name).sort(), ["Falcon production", "Splunk forwarding"]);
    for (const c of acme.credentials) assert.equal((c as unknown as Record<string, unknown>).sealed, undefined);
  });

  test("an MSSP analyst may only view", async () => {
    const data = await open("msspAnalyst", "globex");
    assert.equal(data.selected?.slug, "globex");
    assert.equal(data.selected?.canManage, false);
    assert.equal(data.credentials.length, BULK + 2);
  });

  test("another MSSP's tenant, a sibling's and one that does not exist look the same: nothing selected, nothing read", async () => {
    const nothing = { tenants: [], selected: null, credentials: [], disabledKinds: [] };
    assert.deepEqual(await open("msspAdmin", "other-co"), nothing);
    assert.deepEqual(await open("msspBAdmin", "acme"), nothing);
    assert.deepEqual(await open("acmeEuAdmin", "acme-us"), nothing);
    assert.deepEqual(await open("msspAdmin", "no-such-tenant"), nothing);
    // Control: other-co's own admin does see it.
    assert.equal((await open("otherCoAdmin", "other-co")).credentials.length, 1);
  });
});

describe("the URL", () => {
  test("good values parse; defaults are left out of links", () => {
    const { query, problems } = parseOverviewQuery({ q: "  acme ", connector: "splunk_hec", status: "expiring", page: "2" });
    assert.deepEqual(problems, []);
    assert.deepEqual(query, { q: "acme", connector: "splunk_hec", status: "expiring", page: 2 });
    assert.equal(overviewHref(query), "?q=acme&connector=splunk_hec&status=expiring&page=2");
    assert.equal(overviewHref({ ...query, status: "all", page: 1, connector: null }), "?q=acme");
    assert.equal(overviewHref({}), "?");
  });

  test("bad values are dropped, each with a note; the rest still applies", () => {
    const { query, problems } = parseOverviewQuery({ connector: "okta", status: "broken", page: "-3", q: "x".repeat(101) });
    assert.deepEqual(query, DEFAULT_OVERVIEW_QUERY);
    assert.equal(problems.length, 4);
    assert.match(problems[0], /^Ignored the search "x{40}…": a search is at most 100 characters\.$/);
    assert.match(problems[1], /^Ignored the connector "okta": choose one of CrowdStrike/);
    assert.match(problems[2], /^Ignored the status "broken": choose one of all, expired, expiring, never used, healthy\.$/);
    assert.match(problems[3], /^Ignored the page "-3": pages are numbered from 1\.$/);
    const mixed = parseOverviewQuery({ status: ["expired", "healthy"], page: "abc", q: "" });
    assert.deepEqual(mixed.query, { ...DEFAULT_OVERVIEW_QUERY, status: "expired" });
    assert.deepEqual(mixed.problems, ['Ignored the page "abc": pages are numbered 1, 2, 3 ….']);
  });
});
