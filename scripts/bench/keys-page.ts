// The console Keys page at MSSP scale for `npm run bench` (--only=keys-page):
// the bench's MSSP admin over its ~1,600 tenants (of ~1,675), for page 1, the last page,
// a search and two filters.
//
// Two figures per query:
//   page      loadKeysPage exactly as the page calls it, inside withTenant
//             (claims from the real hook, RLS) and with a real PDP: a Cerbos
//             sidecar started here (scripts/lib/cerbos.ts), so keys:rotate is
//             really asked for the page's 50 tenants and the MSSP root;
//   DB part   readKeysPage (every statement in the caller's transaction, plus
//             the keyring's service-role retiring-key lookup) under RLS, against the same
//             function as the owner without RLS, with the visible tenant ids
//             as the explicit filter (ReadOptions.scope); both must return the
//             same thing before they are timed. The ratio is what RLS costs.
//
// Seeded first, as the owner: credentials in about a third of the tenants
// (sealed under each tenant's active key), succeeded DEK rotations in about a
// quarter, a few failed and queued ones, and a few tenants with a retiring key,
// so that every filter has rows.
import { isDeepStrictEqual } from "node:util";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { schema } from "@/drizzle/schema";
import type { Caller } from "@/lib/db/claims";
import { inTransaction, refuseAfterCommit, withTenant, type Db, type TenantTx } from "@/lib/db/with-tenant";
import { ROTATE_DEK_KIND } from "@/lib/vault/rotation";
import { DEFAULT_KEYS_QUERY, loadKeysPage, readKeysPage, type KeysPageRead, type KeysQuery } from "@/lib/vault/rotation-page";
import { startCerbos } from "../lib/cerbos";
import { fmtCount, fmtMs, fmtRatio, measurePair, median, p95 } from "./measure";
import { insertSealedCredentials } from "./seed-credentials";

export interface KeysPageBenchInput {
  url: string;
  /** The MSSP admin (no active tenant: the console). */
  caller: Caller;
  /** Every tenant the MSSP admin can see (the baseline's explicit filter). */
  scope: string[];
  log: (line: string) => void;
}


export async function seedKeysPageData(url: string, scope: string[], log: (line: string) => void) {
  const t0 = performance.now();
  const owner = new pg.Client({ connectionString: url });
  await owner.connect();
  try {
    const { rows: tenants } = await owner.query<{ id: string; n: number }>(
      `select id, 1 + abs(hashtext(slug || '#creds')) % 4 as n from public.tenants
        where id = any ($1::uuid[]) and abs(hashtext(slug || '#has-creds')) % 3 = 0
          and not exists (select 1 from public.credentials c where c.tenant_id = tenants.id)`,
      [scope],
    );
    await insertSealedCredentials(
      owner,
      tenants.flatMap((t) => Array.from({ length: t.n }, (_, i) => ({ tenantId: t.id, name: `keys bench ${i + 1}` }))),
    );
    // Succeeded DEK rotations (one or two each), a few failed and queued ones.
    await owner.query(
      `insert into public.jobs (tenant_id, kind, status, progress_done, progress_total, attempts, result, created_at, started_at, finished_at)
       select t.id, $2, 'succeeded', 3, 3, 1, '{"resealed": 3, "skipped": 0, "targetVersion": 2, "retiredVersions": [1]}',
              now() - make_interval(days => g * 30 + abs(hashtext(t.slug)) % 30),
              now() - make_interval(days => g * 30 + abs(hashtext(t.slug)) % 30),
              now() - make_interval(days => g * 30 + abs(hashtext(t.slug)) % 30) + interval '2 seconds'
         from public.tenants t cross join generate_series(1, 1 + abs(hashtext(t.slug || '#jobs')) % 2) g
        where t.id = any ($1::uuid[]) and abs(hashtext(t.slug || '#rotated')) % 4 = 0`,
      [scope, ROTATE_DEK_KIND],
    );
    await owner.query(
      `insert into public.jobs (tenant_id, kind, status, attempts, last_error, finished_at)
       select t.id, $2, 'failed', 5, 'bench: a failed rotation', now()
         from public.tenants t where t.id = any ($1::uuid[]) and abs(hashtext(t.slug || '#failed')) % 250 = 0`,
      [scope, ROTATE_DEK_KIND],
    );
    await owner.query(
      `insert into public.jobs (tenant_id, kind, status, run_after)
       select t.id, $2, 'queued', now() + interval '1 day'
         from public.tenants t where t.id = any ($1::uuid[]) and abs(hashtext(t.slug || '#queued')) % 500 = 0
       on conflict do nothing`,
      [scope, ROTATE_DEK_KIND],
    );
    // A rotation cut short: a new key, the old one still retiring.
    await owner.query(
      `select keyring.create_tenant_key(t.id) from public.tenants t
        where t.id = any ($1::uuid[]) and abs(hashtext(t.slug || '#retiring')) % 150 = 0`,
      [scope],
    );
    await owner.query("vacuum (analyze) public.credentials, public.jobs");
    const { rows: [c] } = await owner.query(
      `select (select count(*) from public.credentials where tenant_id = any ($1::uuid[]))::int as credentials,
              (select count(*) from public.jobs where tenant_id = any ($1::uuid[]))::int as jobs`,
      [scope],
    );
    log(`  seeded ${fmtCount(c.credentials)} credentials and ${fmtCount(c.jobs)} key jobs over the MSSP's tenants in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await owner.end();
  }
}

/** What the two sides must agree on (Maps as entries; job rows as JSON). */
function comparable(read: KeysPageRead) {
  return JSON.parse(
    JSON.stringify({
      roots: read.roots,
      counted: read.counted,
      credentials: [...read.details.credentials],
      latest: [...read.details.latest],
      succeeded: [...read.details.succeeded],
      recent: read.details.recent,
    }),
  );
}

export async function runKeysPageBench(input: KeysPageBenchInput): Promise<string[]> {
  const { log, caller, scope } = input;
  await seedKeysPageData(input.url, scope, log);

  const pdp = await startCerbos({ quiet: true });
  const previousUrl = process.env.CERBOS_URL;
  process.env.CERBOS_URL = pdp.url;
  const out: string[] = [];
  try {
    const claims = await withTenant(caller, async (tx) => tx.claims);
    const asOwner = <T>(fn: (tx: TenantTx) => Promise<T>) =>
      inTransaction((client) => fn({ client, claims, db: drizzle(client, { schema }) as Db, afterCommit: refuseAfterCommit }));

    const first = await withTenant(caller, (tx) => loadKeysPage(tx, DEFAULT_KEYS_QUERY));
    if (first.pdpUnavailable) throw new Error("keys-page bench: the PDP did not answer");
    if (first.total !== scope.length) throw new Error(`keys-page bench: ${first.total} tenants on the page, ${scope.length} visible`);
    const queries: Array<[string, KeysQuery]> = [
      ["page 1", DEFAULT_KEYS_QUERY],
      [`last page (${first.pageCount})`, { ...DEFAULT_KEYS_QUERY, page: first.pageCount }],
      [`search "customer 12"`, { ...DEFAULT_KEYS_QUERY, q: "customer 12" }],
      ["filter rotation pending", { ...DEFAULT_KEYS_QUERY, filter: "rotation-pending" }],
      ["filter never rotated, page 2", { ...DEFAULT_KEYS_QUERY, filter: "never-rotated", page: 2 }],
    ];
    log(
      `  ${fmtCount(scope.length)} tenants visible; counts ${Object.entries(first.counts)
        .map(([k, v]) => `${k} ${fmtCount(v)}`)
        .join(", ")}; Cerbos at ${pdp.url}`,
    );

    for (const [label, query] of queries) {
      const t0 = performance.now();
      // Same answer both ways before anything is timed.
      const rls = await withTenant(caller, (tx) => readKeysPage(tx, query));
      const base = await asOwner((tx) => readKeysPage(tx, query, { scope }));
      if (!isDeepStrictEqual(comparable(rls), comparable(base))) throw new Error(`keys-page bench, ${label}: RLS and owner disagree`);
      const page = await withTenant(caller, (tx) => loadKeysPage(tx, query));
      if (page.tenants.length === 0) throw new Error(`keys-page bench, ${label}: no rows; the seed is not what the query needs`);
      if (!page.tenants.every((t) => t.canRotate)) throw new Error(`keys-page bench, ${label}: the PDP refused keys:rotate to the MSSP admin`);

      const timedRead = async (tx: TenantTx, opts: { scope?: string[] }) => {
        const q0 = performance.now();
        const read = await readKeysPage(tx, query, opts);
        return { rows: read.counted.tenants.length, queryMs: performance.now() - q0 };
      };
      const db = await measurePair(
        () => withTenant(caller, (tx) => timedRead(tx, {})),
        () => asOwner((tx) => timedRead(tx, { scope })),
      );
      // The whole page load (with the PDP), on its own.
      const full: number[] = [];
      for (let i = 0; i < 3; i++) await withTenant(caller, (tx) => loadKeysPage(tx, query));
      const started = performance.now();
      while (full.length < 30 || (performance.now() - started < 3_000 && full.length < 200)) {
        const s = performance.now();
        await withTenant(caller, (tx) => loadKeysPage(tx, query));
        full.push(performance.now() - s);
      }
      const rows = `${page.tenants.length} rows of ${fmtCount(page.total)}`;
      const line =
        `${label.padEnd(30)} loadKeysPage ${fmtMs(median(full))} ms (p95 ${fmtMs(p95(full))}, n=${full.length}); ` +
        `DB part RLS ${fmtMs(median(db.rls.total))} ms vs owner ${fmtMs(median(db.baseline.total))} ms ` +
        `(${fmtRatio(median(db.rls.total) / median(db.baseline.total))}; statements only ${fmtMs(median(db.rls.query))} vs ` +
        `${fmtMs(median(db.baseline.query))} ms, ${fmtRatio(median(db.rls.query) / median(db.baseline.query))}; n=${db.iterations}); ${rows}`;
      out.push(line);
      log(`  ${line} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    out.push(
      "loadKeysPage = withTenant (claims hook) + readKeysPage + keyring status of the page's tenants + PDP keys:rotate (real Cerbos); " +
        "DB part = one transaction running readKeysPage (its statements + the keyring's retiring-key lookup), RLS incl. claims building vs the owner " +
        "with an explicit tenant-id filter; \"statements only\" leaves out begin/claims/commit",
    );
  } finally {
    if (previousUrl === undefined) delete process.env.CERBOS_URL;
    else process.env.CERBOS_URL = previousUrl;
    await pdp.stop();
  }
  return out;
}
