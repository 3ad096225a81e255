// The console Credentials overview at MSSP scale for `npm run bench`
// (--only=credentials-overview): the bench's MSSP admin over its ~1,600
// tenants (of ~1,675), for page 1, the expiring filter, a search, a connector
// filter and page 3.
//
// Two figures per query:
//   page      loadCredentialsOverview exactly as the page calls it, inside
//             withTenant (claims from the real hook, RLS) and with a real PDP:
//             a Cerbos sidecar started here (scripts/lib/cerbos.ts), asked
//             credentials:view/manage for the MSSP root and the page's tenants;
//   DB part   readCredentialsOverview (the summary and the page statements)
//             under RLS, against the same statements as the owner without RLS
//             with the visible tenant ids as an explicit filter: the owner's
//             client adds `where t.id = any ($n)` / `where c.tenant_id = any ($n)`
//             to the two CTEs every statement starts from (and fails loudly if
//             overview.ts stops sending them). Both sides must return the same
//             rows and counts before they are timed. The ratio is what RLS costs.
//
// Seeded first, as the owner, in batches of 1,000 sealed under each tenant's
// active key: BENCH_OVERVIEW_CREDENTIALS (default 10,000) credentials over the
// MSSP's tenants with a Zipf-like skew (a few tenants with hundreds, a long
// tail with one or two), five connectors in unequal shares, some expired,
// some expiring within 14 days, some without an expiry, some never used; a
// few in the other MSSP's tenants too, so that the explicit filter has
// something to leave out. Added on top of whatever the vault and keys-page
// sections seeded (their helpers seed one connector without expiries, so they
// are not reused).
import { isDeepStrictEqual } from "node:util";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { schema } from "@/drizzle/schema";
import { CONNECTOR_KINDS, type ConnectorKind } from "@/lib/credentials/connectors";
import {
  DEFAULT_OVERVIEW_QUERY,
  loadCredentialsOverview,
  readCredentialsOverview,
  type OverviewData,
  type OverviewQuery,
} from "@/lib/credentials/overview";
import type { Caller } from "@/lib/db/claims";
import { inTransaction, refuseAfterCommit, withTenant, type Db, type TenantTx } from "@/lib/db/with-tenant";
import { startCerbos } from "../lib/cerbos";
import { fmtCount, fmtMs, fmtRatio, measurePair, median, p95 } from "./measure";
import { insertSealedCredentials, type CredentialSeed } from "./seed-credentials";
import { mulberry32 } from "@/lib/demo/generate";

export interface CredentialsOverviewBenchInput {
  url: string;
  /** The MSSP admin (no active tenant: the console). */
  caller: Caller;
  /** Every tenant the MSSP admin can see (the baseline's explicit filter). */
  scope: string[];
  log: (line: string) => void;
}

const DAY_MS = 86_400_000;
const SEED_CREDENTIALS = Number(process.env.BENCH_OVERVIEW_CREDENTIALS ?? 10_000);
const ZIPF = 0.9;
// Connector shares (CONNECTOR_KINDS order): EDRs first, a few generic keys.
const CONNECTOR_SHARES: Record<ConnectorKind, number> = {
  crowdstrike_falcon: 0.35,
  sentinelone: 0.2,
  microsoft_defender: 0.25,
  splunk_hec: 0.12,
  generic_api_key: 0.08,
};
const ENVIRONMENTS = ["prod", "staging", "dr", "lab"];

/** Rows for one tenant; `sloppy` tenants let far more expire and sit unused. */
function rowsFor(tenantId: string, n: number, sloppy: boolean, rnd: () => number, now: number): CredentialSeed[] {
  const out: CredentialSeed[] = [];
  for (let i = 1; i <= n; i++) {
    let x = rnd();
    let connector: ConnectorKind = CONNECTOR_KINDS[CONNECTOR_KINDS.length - 1];
    for (const k of CONNECTOR_KINDS) {
      if (x < CONNECTOR_SHARES[k]) {
        connector = k;
        break;
      }
      x -= CONNECTOR_SHARES[k];
    }
    const createdAt = new Date(now - (1 + rnd() * 730) * DAY_MS);
    const e = rnd();
    const expiredShare = sloppy ? 0.3 : 0.05;
    const expiresAt =
      e < expiredShare
        ? new Date(now - (0.1 + rnd() * 365) * DAY_MS) // expired
        : e < expiredShare + 0.1
          ? new Date(now + (0.05 + rnd() * 13.9) * DAY_MS) // expiring within 14 days
          : e < expiredShare + 0.45
            ? null // no expiry
            : new Date(now + (15 + rnd() * 700) * DAY_MS);
    const neverUsed = rnd() < (sloppy ? 0.45 : 0.15);
    const lastUsedAt = neverUsed ? null : new Date(Math.max(createdAt.getTime(), now - rnd() * 90 * DAY_MS));
    const rotatedAt = rnd() < 0.3 ? new Date(createdAt.getTime() + rnd() * (now - createdAt.getTime())) : null;
    out.push({ tenantId, connector, name: `${connector} ${ENVIRONMENTS[i % ENVIRONMENTS.length]} ${i}`, expiresAt, createdAt, rotatedAt, lastUsedAt });
  }
  return out;
}

/**
 * Inserts the overview's spread as the owner: ~`count` credentials over the
 * scope's tenants (Zipf-like over a fixed permutation of the slugs), two in
 * each tenant outside it. Each batch of 1,000 is one insert ... select from unnest.
 */
export async function seedOverviewCredentials(url: string, scope: string[], count: number, log: (line: string) => void) {
  const t0 = performance.now();
  const now = Date.now();
  const rnd = mulberry32(20261129);
  const owner = new pg.Client({ connectionString: url });
  await owner.connect();
  try {
    const { rows: inside } = await owner.query<{ id: string }>(
      `select id from public.tenants where id = any ($1::uuid[]) order by md5(slug || '#overview')`,
      [scope],
    );
    const { rows: outside } = await owner.query<{ id: string }>(
      `select id from public.tenants where not (id = any ($1::uuid[])) order by slug`,
      [scope],
    );
    const weights = inside.map((_, rank) => (rank + 1) ** -ZIPF);
    const sum = weights.reduce((a, b) => a + b, 0);
    const rows: CredentialSeed[] = [];
    inside.forEach((t, rank) => {
      const n = Math.max(1, Math.round((count * weights[rank]) / sum));
      rows.push(...rowsFor(t.id, n, rnd() < 0.1, rnd, now));
    });
    for (const t of outside) rows.push(...rowsFor(t.id, 2, false, rnd, now));

    await insertSealedCredentials(owner, rows);
    await owner.query("vacuum (analyze) public.credentials");
    const { rows: [c] } = await owner.query(
      `select count(*) filter (where tenant_id = any ($1::uuid[]))::int as inside,
              count(*) filter (where not (tenant_id = any ($1::uuid[])))::int as outside,
              count(distinct tenant_id) filter (where tenant_id = any ($1::uuid[]))::int as tenants,
              count(*) filter (where tenant_id = any ($1::uuid[]) and expires_at <= now())::int as expired,
              count(*) filter (where tenant_id = any ($1::uuid[]) and expires_at > now() and expires_at <= now() + interval '14 days')::int as expiring,
              count(*) filter (where tenant_id = any ($1::uuid[]) and last_used_at is null)::int as never_used,
              (select max(n) from (select count(*)::int as n from public.credentials where tenant_id = any ($1::uuid[]) group by tenant_id) m) as biggest
         from public.credentials`,
      [scope],
    );
    log(
      `  seeded ${fmtCount(rows.length)} credentials in ${((performance.now() - t0) / 1000).toFixed(1)} s; the MSSP's tenants now hold ${fmtCount(c.inside)} ` +
        `in ${fmtCount(c.tenants)} tenants (largest ${fmtCount(c.biggest)}): ${fmtCount(c.expired)} expired, ${fmtCount(c.expiring)} expiring, ` +
        `${fmtCount(c.never_used)} never used; ${fmtCount(c.outside)} outside its scope`,
    );
    return { inside: c.inside as number };
  } finally {
    await owner.end();
  }
}

/**
 * The owner's client for readCredentialsOverview: every statement gets the
 * explicit tenant filter on the two CTEs it reads from (the visible ids as one
 * more parameter). Throws if a statement does not have them, so a change to
 * overview.ts cannot silently turn the baseline into something else.
 */
function scopedClient(client: pg.PoolClient, scope: string[]): pg.PoolClient {
  const query = (text: string, params: unknown[] = []) => {
    const n = params.length + 1;
    let hits = 0;
    const scoped = text
      .replace(/from public\.tenants t\n\)/g, () => (hits++, `from public.tenants t where t.id = any ($${n}::uuid[])\n)`))
      .replace(/from public\.credentials c\n\)/g, () => (hits++, `from public.credentials c where c.tenant_id = any ($${n}::uuid[])\n)`));
    if (hits !== 2) throw new Error(`credentials-overview bench: cannot add the tenant filter to a statement (${hits} of 2 places):\n${text}`);
    return client.query(scoped, [...params, scope]);
  };
  return new Proxy(client, { get: (target, prop) => (prop === "query" ? query : Reflect.get(target, prop, target)) });
}

export async function runCredentialsOverviewBench(input: CredentialsOverviewBenchInput): Promise<string[]> {
  const { log, caller, scope } = input;
  const { inside } = await seedOverviewCredentials(input.url, scope, SEED_CREDENTIALS, log);

  const pdp = await startCerbos({ quiet: true });
  const previousUrl = process.env.CERBOS_URL;
  process.env.CERBOS_URL = pdp.url;
  const out: string[] = [];
  try {
    const claims = await withTenant(caller, async (tx) => tx.claims);
    const asOwner = <T>(fn: (tx: TenantTx) => Promise<T>) =>
      inTransaction((raw) => {
        const client = scopedClient(raw, scope);
        return fn({ client, claims, db: drizzle(raw, { schema }) as Db, afterCommit: refuseAfterCommit });
      });
    // One clock for every run, so both sides classify each credential alike.
    const now = new Date();

    const queries: Array<[string, OverviewQuery]> = [
      ["page 1 (all)", DEFAULT_OVERVIEW_QUERY],
      ["status expiring", { ...DEFAULT_OVERVIEW_QUERY, status: "expiring" }],
      [`search "customer 12"`, { ...DEFAULT_OVERVIEW_QUERY, q: "customer 12" }],
      ["connector Defender", { ...DEFAULT_OVERVIEW_QUERY, connector: "microsoft_defender" }],
      ["page 3 (all)", { ...DEFAULT_OVERVIEW_QUERY, page: 3 }],
    ];
    const first = await withTenant(caller, (tx) => readCredentialsOverview(tx, DEFAULT_OVERVIEW_QUERY, now));
    if (first.summary.total !== inside) throw new Error(`credentials-overview bench: ${first.summary.total} credentials visible, ${inside} in scope`);
    const s = first.summary;
    log(
      `  ${fmtCount(s.total)} credentials visible: ${fmtCount(s.expired)} expired, ${fmtCount(s.expiring)} expiring, ${fmtCount(s.neverUsed)} never used, ` +
        `${fmtCount(s.healthy)} healthy; ${s.byConnector.map((c) => `${c.connector} ${fmtCount(c.total)}`).join(", ")}; Cerbos at ${pdp.url}`,
    );

    for (const [label, query] of queries) {
      const t0 = performance.now();
      // Same rows and counts both ways before anything is timed.
      const rls = await withTenant(caller, (tx) => readCredentialsOverview(tx, query, now));
      const base = await asOwner((tx) => readCredentialsOverview(tx, query, now));
      if (!isDeepStrictEqual(rls, base)) throw new Error(`credentials-overview bench, ${label}: RLS and owner disagree`);
      if (rls.rows.length === 0 || rls.query.page !== query.page) {
        throw new Error(`credentials-overview bench, ${label}: ${rls.rows.length} rows on page ${rls.query.page}; the seed is not what the query needs`);
      }
      const page = await withTenant(caller, (tx) => loadCredentialsOverview(tx, query, now));
      if (!page.allowed) throw new Error(`credentials-overview bench, ${label}: the PDP refused credentials:view to the MSSP admin`);
      const { rows: pageRows, ...pageRest } = page;
      const { rows: readRows, ...readRest } = rls;
      if (!isDeepStrictEqual(pageRest, { allowed: true, ...readRest }) || !isDeepStrictEqual(pageRows.map(({ canManage: _, ...r }) => r), readRows)) {
        throw new Error(`credentials-overview bench, ${label}: loadCredentialsOverview returns something else than readCredentialsOverview`);
      }
      if (!pageRows.every((r) => r.canManage)) throw new Error(`credentials-overview bench, ${label}: the PDP refused credentials:manage to the MSSP admin`);

      const timedRead = async (tx: TenantTx) => {
        const q0 = performance.now();
        const read: OverviewData = await readCredentialsOverview(tx, query, now);
        return { rows: read.rows.length, queryMs: performance.now() - q0 };
      };
      const db = await measurePair(
        () => withTenant(caller, timedRead),
        () => asOwner(timedRead),
      );
      // The whole page load (with the PDP), on its own.
      const full: number[] = [];
      for (let i = 0; i < 3; i++) await withTenant(caller, (tx) => loadCredentialsOverview(tx, query, now));
      const started = performance.now();
      while (full.length < 30 || (performance.now() - started < 3_000 && full.length < 200)) {
        const s0 = performance.now();
        await withTenant(caller, (tx) => loadCredentialsOverview(tx, query, now));
        full.push(performance.now() - s0);
      }
      const rows = `${rls.rows.length} rows of ${fmtCount(rls.total)}`;
      const line =
        `${label.padEnd(22)} loadCredentialsOverview ${fmtMs(median(full))} ms (p95 ${fmtMs(p95(full))}, n=${full.length}); ` +
        `DB part RLS ${fmtMs(median(db.rls.total))} ms (p95 ${fmtMs(p95(db.rls.total))}) vs owner ${fmtMs(median(db.baseline.total))} ms ` +
        `(p95 ${fmtMs(p95(db.baseline.total))}), ${fmtRatio(median(db.rls.total) / median(db.baseline.total))}; statements only ` +
        `${fmtMs(median(db.rls.query))} vs ${fmtMs(median(db.baseline.query))} ms, ${fmtRatio(median(db.rls.query) / median(db.baseline.query))}; ` +
        `n=${db.iterations}; ${rows}`;
      out.push(line);
      log(`  ${line} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    out.push(
      "loadCredentialsOverview = withTenant (claims hook) + the MSSP roots + readCredentialsOverview + PDP credentials:view/manage (real Cerbos); " +
        "DB part = one transaction running readCredentialsOverview (summary + page statements), RLS incl. claims building vs the owner " +
        "with an explicit tenant-id filter; \"statements only\" leaves out begin/claims/commit",
    );
  } finally {
    if (previousUrl === undefined) delete process.env.CERBOS_URL;
    else process.env.CERBOS_URL = previousUrl;
    await pdp.stop();
  }
  return out;
}
