// npm run bench [-- --plans] [-- --only=1,4] [-- --keep]
//
// What row-level security costs at MSSP scale. Starts a fresh embedded
// Postgres 17, migrates it, generates ~1,600 tenants and BENCH_ALERTS alerts
// (default 1,000,000) in set-based SQL (lib/demo/scale, through
// scripts/bench/generate.ts), then times each scenario two ways:
//   RLS       the app path: withTenant() (claims from the real access-token
//             hook, SET LOCAL ROLE authenticated), the query without a tenant
//             filter;
//   baseline  the same query as the owner (no RLS) with the fastest correct
//             explicit tenant filter, the visible tenant ids precomputed.
// Before timing, both sides and the app's own function (listAlerts,
// loadTenantTree) must return the same answer. EXPLAIN (ANALYZE, BUFFERS) of
// the RLS side checks that each policy helper is an InitPlan run once; full
// plans go to .data/bench/plans.txt (and stdout with --plans).
//
// Environment: BENCH_ALERTS (default 1000000), BENCH_ASSETS (default
// alerts/10), BENCH_CUSTOMERS (default 1000), BENCH_SECONDS (time budget per
// scenario once 30 iterations are done, default 6).
// BENCH_CREDENTIALS (default 10000) sealed credentials for the vault figures.
// Flags: --plans prints the full plans; --only=1,4 runs only those scenarios
// (--only=vault: just the vault's seal/open/rotation figures; --only=keys-page:
// the console Keys page, scripts/bench/keys-page.ts; --only=credentials-overview:
// the console Credentials overview, scripts/bench/credentials-overview.ts;
// --only=triage: the alert list with full-text search and sorting (RLS vs the
// owner), the list page with a PDP, acknowledge and bulk-acknowledge latency,
// scripts/bench/triage.ts; --only=config: the effective configuration of a
// tenant at depth 4 and of every customer at once, scripts/bench/config.ts;
// --only=lifecycle: provisioning 500 customers through the workflow, a
// 200,000-alert tenant offboarded while another tenant's alert page is timed,
// export/restore rates, scripts/bench/lifecycle.ts; also part of the default
// run, last, since it takes about 70 s at the default scale);
// --only=metering: usage events recorded and rolled up, 1,000 tenants × 30 days, scripts/bench/metering.ts;
// --only=brand: the host's brand per request (warm cache < 0.2 ms, cold) and a page with/without a brand, scripts/bench/brand.ts;
// --only=health: every tenant's health evaluated, and the console /health page's data p95, scripts/bench/health.ts;
// --only=ingest: POST /alerts' database part, batches of 500 under RLS vs a
// raw COPY of the same rows, scripts/bench/ingest.ts, then alerts/s through
// HTTP (the real gateway behind a real server), API read p95, the rate-limit
// check's cost and the noisy neighbour, scripts/bench/ingest-http.ts;
// --only=load: 50 signed-in sessions over 100 tenants and both hosts against the production build
// (scripts/bench/load.ts; BENCH_LOAD_* variables there); --only=pages: every page of both hosts, its
// database work per request at the same scale (scripts/bench/pages.ts); --only=noisy: the noisy neighbour alone (scripts/bench/noisy.ts); --only=rules: workflow rule evaluation, 50 rules on every tenant, new
// alerts through the evaluate job's function (scripts/bench/rules.ts;
// BENCH_RULE_ALERTS, default 500);
// --only=bulk: a bulk run over 200 tenants and its undo by the real worker, ms, round trips and
// statements per tenant (scripts/bench/bulk.ts; BENCH_BULK_TENANTS, BENCH_BULK_CYCLES; only when asked);
// --keep leaves the server up after the run (until Ctrl-C) for manual EXPLAINs.
import { mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import pg from "pg";
import { migrate } from "@/lib/db/migrate";
import { closePool } from "@/lib/db/pool";
import { inTransaction, withTenant } from "@/lib/db/with-tenant";
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from "./lib/embedded-postgres";
import { ensureCerbos, type CerbosServer } from "./lib/cerbos";
import { runCredentialsOverviewBench } from "./bench/credentials-overview";
import { generateBenchData, MSSP_SLUG } from "./bench/generate";
import { runKeysPageBench } from "./bench/keys-page";
import { runLifecycleBench } from "./bench/lifecycle";
import { runBulkBench } from "./bench/bulk";
import { fmtCount, fmtMs, fmtRatio, measurePair, median, p95, renderTable, type RunResult } from "./bench/measure";
import { judgePlan, shortenPlanText, type ExplainJson, type PlanVerdict } from "./bench/plans";
import { subtreeCover } from "@/lib/analytics/cover";
import { buildScenarios, type Outcome, type Scenario, type Statement } from "./bench/scenarios";
import { buildPageScenarios } from "./bench/page-scenarios";
import { runRulesBench } from "./bench/rules";
import { runMeteringBench } from "./bench/metering";
import { runHealthBench } from "./bench/health";
import { runIngestBench } from "./bench/ingest";
import { runLoadBench } from "./bench/load";
import { runPagesBench } from "./bench/pages";
import { runHttpIngestBench } from "./bench/ingest-http";
import { runTriageBench } from "./bench/triage";
import { runConfigBench } from "./bench/config";
import { runVaultBench } from "./bench/vault";
import { snapshotIndexScans, unusedIndexLines } from "./bench/index-usage";

const started = performance.now();
const printPlans = process.argv.includes("--plans");
// --only=1,4 runs just those scenarios.
const onlyArg = process.argv.find((a) => a.startsWith("--only="));
const only = onlyArg ? new Set(onlyArg.slice("--only=".length).split(",").map((x) => x.trim())) : null;
// Leave the server running (and the data) after the run, for manual EXPLAINs.
const keep = process.argv.includes("--keep");
const ALERTS = Number(process.env.BENCH_ALERTS ?? 1_000_000);
const ASSETS = Number(process.env.BENCH_ASSETS ?? Math.round(ALERTS / 10));
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1000);
// Credentials sealed in one customer for the vault figures (issue 4 names 10,000).
const VAULT_CREDENTIALS = Number(process.env.BENCH_CREDENTIALS ?? 10_000);
for (const [name, v] of Object.entries({ BENCH_ALERTS: ALERTS, BENCH_ASSETS: ASSETS, BENCH_CUSTOMERS: CUSTOMERS })) {
  if (!Number.isInteger(v) || v < 1) {
    console.error(`${name} must be a positive integer`);
    process.exit(2);
  }
}

// BENCH_DIR: where the throwaway database and the plans go (two benches at once need two).
const BENCH_DIR = process.env.BENCH_DIR ? path.resolve(process.env.BENCH_DIR) : path.join(process.cwd(), ".data", "bench");
const DATA_DIR = path.join(BENCH_DIR, "pg");
const PLANS_FILE = path.join(BENCH_DIR, "plans.txt");
// Server settings: a modest production-like buffer cache (the alerts table
// and its indexes fit, as they would on a real MSSP database server), and
// room for the bulk load without checkpoint storms. Same for both sides.
const PG_FLAGS = [
  "-c", "shared_buffers=512MB",
  "-c", "maintenance_work_mem=256MB",
  "-c", "max_wal_size=8GB",
  "-c", "checkpoint_timeout=30min",
];

const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

class Rollback extends Error {}

interface SideRun extends RunResult {
  results: pg.QueryResult[];
  claimsTenantId?: string | null;
}

async function runStatements(client: pg.PoolClient, statements: Statement[]) {
  const t0 = performance.now();
  const results: pg.QueryResult[] = [];
  const statementMs: number[] = [];
  for (const st of statements) {
    const s0 = performance.now();
    results.push(await client.query(st.name ? { name: st.name, text: st.sql, values: st.params } : { text: st.sql, values: st.params }));
    statementMs.push(performance.now() - s0);
  }
  return { results, queryMs: performance.now() - t0, statementMs };
}

/** The app path: withTenant exactly as pages use it. */
async function runRls(s: Scenario): Promise<SideRun> {
  let out: SideRun | undefined;
  try {
    await withTenant(s.caller, async (tx) => {
      const { results, queryMs, statementMs } = await runStatements(tx.client, s.rls);
      out = { results, queryMs, statementMs, rows: results.at(-1)?.rowCount ?? 0, claimsTenantId: tx.claims.tenant_id };
      if (s.rollback) throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return out!;
}

/** The baseline: the owner, in a transaction on the same pool, no RLS. */
async function runBaseline(s: Scenario): Promise<SideRun> {
  let out: SideRun | undefined;
  try {
    await inTransaction(async (client) => {
      const { results, queryMs, statementMs } = await runStatements(client, s.baseline);
      out = { results, queryMs, statementMs, rows: results.at(-1)?.rowCount ?? 0 };
      if (s.rollback) throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return out!;
}

function formatParams(params: unknown[]): string {
  return JSON.stringify(params.map((p) => (Array.isArray(p) && p.length > 5 ? `<${p.length} uuids>` : p)));
}

/** Both sides and the app's own function must agree before anything is timed. */
async function verify(s: Scenario): Promise<Outcome> {
  const rls = await runRls(s);
  const base = await runBaseline(s);
  const expectedActive = s.caller.activeTenantId ?? null;
  if (rls.claimsTenantId !== expectedActive) {
    throw new Error(`scenario ${s.id}: the hook returned tenant_id ${rls.claimsTenantId}, expected ${expectedActive}`);
  }
  const a = s.outcome(rls.results);
  const b = s.outcome(base.results);
  if (!isDeepStrictEqual(a.data, b.data)) {
    throw new Error(`scenario ${s.id}: RLS and baseline disagree (${a.label} vs ${b.label})`);
  }
  if (s.app) {
    const app = await withTenant(s.caller, (tx) => s.app!(tx));
    if (!isDeepStrictEqual(app, a.data)) throw new Error(`scenario ${s.id}: the app function returns something else than the benchmark SQL`);
  }
  if (s.rls.length > 0 && a.rows === 0) throw new Error(`scenario ${s.id}: no rows; the data is not what the scenario needs`);
  return a;
}

interface Explained {
  scenario: Scenario;
  verdicts: Array<{ label: string; verdict: PlanVerdict }>;
  text: string;
}

async function explain(s: Scenario): Promise<Explained> {
  const verdicts: Explained["verdicts"] = [];
  const parts: string[] = [];
  const header = (side: string, st: Statement) =>
    `--- scenario ${s.id} (${s.name}) / ${st.label} / ${side}\n${st.sql}\n-- params: ${formatParams(st.params)}\n`;
  try {
    await withTenant(s.caller, async (tx) => {
      for (const st of s.rls) {
        const { rows: [j] } = await tx.client.query(`explain (analyze, buffers, verbose, format json) ${st.sql}`, st.params);
        const plan = (j["QUERY PLAN"] as ExplainJson[])[0];
        const verdict = judgePlan(plan);
        verdicts.push({ label: st.label, verdict });
        const { rows } = await tx.client.query(`explain (analyze, buffers, verbose) ${st.sql}`, st.params);
        parts.push(
          header("RLS, as authenticated", st) +
            rows.map((r) => r["QUERY PLAN"]).join("\n") +
            `\n-- verdict: ${verdict.summary}\n` +
            verdict.notes.map((n) => `-- note: ${n}\n`).join(""),
        );
      }
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  try {
    await inTransaction(async (client) => {
      for (const st of s.baseline) {
        const { rows } = await client.query(`explain (analyze, buffers) ${st.sql}`, st.params);
        parts.push(header("baseline, as owner", st) + rows.map((r) => r["QUERY PLAN"]).join("\n") + "\n");
      }
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return { scenario: s, verdicts, text: shortenPlanText(parts.join("\n")) };
}

let db: EmbeddedDatabase | undefined;
// The scenarios' app checks (the console overview's counts) ask the PDP, as pages do.
let pdp: CerbosServer | undefined;
async function shutdown() {
  await closePool().catch(() => {});
  await pdp?.stop().catch(() => {});
  await db?.stop().catch(() => {});
}
process.on("SIGINT", () => {
  console.error("\ninterrupted; stopping Postgres");
  void shutdown().finally(() => process.exit(130));
});

async function main() {
  // --only=load: the production build under signed-in load, on its own data (scripts/bench/load.ts).
  if (only?.has("load")) {
    await runLoadBench({ benchDir: BENCH_DIR });
    return;
  }
  // --only=pages: every page's database work, one request at a time, on the load bench's data (scripts/bench/pages.ts).
  if (only?.has("pages")) {
    await runPagesBench({ benchDir: BENCH_DIR });
    return;
  }
  // ---------------------------------------------------------------- setup
  const setupStarted = performance.now();
  await rm(DATA_DIR, { recursive: true, force: true });
  await mkdir(BENCH_DIR, { recursive: true });
  db = await startEmbeddedPostgres({ dataDir: DATA_DIR, port: await freePort(), persistent: false, quiet: true, postgresFlags: PG_FLAGS });
  process.env.DATABASE_URL = db.url;
  // Jobs the parts run (provisioning's welcome mail, the rules' notifications)
  // seal queued mail under a key derived from it: a throwaway one for the
  // bench's throwaway database, so any part runs on its own (--only=lifecycle).
  process.env.NEXTAUTH_SECRET ??= "bench-only-nextauth-secret-not-used-anywhere-else";
  await migrate(db.url);
  pdp = await ensureCerbos();
  process.env.CERBOS_URL = pdp.url;

  const owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
  let data;
  try {
    const { rows: [env] } = await owner.query(
      `select current_setting('server_version') as version, current_setting('shared_buffers') as sb,
              current_setting('jit') as jit, pg_jit_available() as jit_available,
              current_setting('max_parallel_workers_per_gather') as par`,
    );
    console.log(
      `RLS benchmark: Postgres ${env.version} (embedded, fresh), ${os.cpus().length} CPUs, shared_buffers=${env.sb}, ` +
        `jit=${env.jit}${env.jit_available ? "" : " (not available)"}, parallel workers/gather=${env.par}`,
    );
    console.log(`Generating: ${fmtCount(CUSTOMERS)} customers, ${fmtCount(ALERTS)} alerts, ${fmtCount(ASSETS)} assets`);
    data = await generateBenchData(owner, { alerts: ALERTS, assets: ASSETS, customers: CUSTOMERS, log: console.log });
  } finally {
    await owner.end();
  }
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  // Index scans from here on are the parts' work (scripts/bench/index-usage.ts).
  const indexScansBefore = await snapshotIndexScans(db.url);
  console.log(
    `Setup: ${setupSeconds.toFixed(1)} s (server start + migrate + generate). ` +
      `${fmtCount(data.tenants)} tenants (${fmtCount(data.sites)} sites), ${fmtCount(data.alerts)} alerts, ${fmtCount(data.assets)} assets, ` +
      `${fmtCount(data.userCount)} users, ${fmtCount(data.memberships)} memberships`,
  );
  console.log(
    `Callers: MSSP admin on ${MSSP_SLUG}; tenant admin of ${data.customer.slug} (${data.customer.tenants} tenants, ` +
      `${fmtCount(data.customer.alerts)} alerts, the median customer with sites); tenant analyst of ${data.site.slug} (${fmtCount(data.site.alerts)} alerts)`,
  );

  // ------------------------------------------------- precomputed baselines
  const ownerPool = new pg.Client({ connectionString: db.url });
  await ownerPool.connect();
  const subtree = async (id: string) =>
    (
      await ownerPool.query(
        `select t.id from public.tenants t, public.tenants r where r.id = $1 and t.path operator(extensions.<@) r.path`,
        [id],
      )
    ).rows.map((r) => r.id as string);
  const customerTenantIds = await subtree(data.customer.id);
  const msspTenantIds = await subtree(data.msspId);
  // The dashboard's rollup cover for the MSSP admin (every tenant readable: the MSSP's own subtree row).
  const { rows: treeRows } = await ownerPool.query<{ id: string; parent_id: string | null }>(
    `select id, parent_id from public.tenants where id = any($1::uuid[])`,
    [msspTenantIds],
  );
  const msspCover = subtreeCover(treeRows.map((r) => ({ id: r.id, parentId: r.parent_id })), msspTenantIds);
  // Ten customers' tenants, as the riskiest list names them.
  const { rows: tenCustomers } = await ownerPool.query<{ id: string }>(
    `select id from public.tenants where parent_id = $1 and kind = 'customer' order by slug limit 10`,
    [data.msspId],
  );
  const listedTenantIds: string[] = [];
  for (const c of tenCustomers) listedTenantIds.push(...(await subtree(c.id)));
  const { rows: [target] } = await ownerPool.query(
    `select id, status from public.alerts where tenant_id = any($1::uuid[]) and status = 'new' order by detected_at desc limit 1`,
    [customerTenantIds],
  );
  await ownerPool.end();
  console.log(`MSSP admin scope: ${fmtCount(msspTenantIds.length)} tenants; tenant admin scope: ${customerTenantIds.length} tenants`);

  const scenarioContext = {
    customerAdmin: { userId: data.users.customerAdmin.id, email: data.users.customerAdmin.email, activeTenantId: data.customer.id },
    siteAnalyst: { userId: data.users.siteAnalyst.id, email: data.users.siteAnalyst.email, activeTenantId: data.site.id },
    msspAdmin: { userId: data.users.msspAdmin.id, email: data.users.msspAdmin.email, activeTenantId: null },
    customerTenantIds,
    siteTenantId: data.site.id,
    msspTenantIds,
    msspCover,
    listedTenantIds,
    updateAlertId: target.id,
    updateAlertStatus: target.status,
  };
  // Scenarios 9-19: the other pages' queries (scripts/bench/page-scenarios.ts; their data is made only when asked for).
  const allScenarios = [
    ...buildScenarios(scenarioContext),
    ...(await buildPageScenarios({ ...scenarioContext, url: db.url, msspId: data.msspId, customerId: data.customer.id, wanted: (id) => !only || only.has(id) })),
  ];
  const scenarios = allScenarios.filter((s) => !only || only.has(s.id));
  const vaultRequested = !only || only.has("vault");
  const lifecycleRequested = !only || only.has("lifecycle");

  // ---------------------------------------------------------- scenarios
  const results: Array<{ s: Scenario; outcome: Outcome; m: Awaited<ReturnType<typeof measurePair>> }> = [];
  const explained: Explained[] = [];
  for (const s of scenarios) {
    const t0 = performance.now();
    const outcome = await verify(s);
    const m = await measurePair(
      () => runRls(s),
      () => runBaseline(s),
    );
    results.push({ s, outcome, m });
    if (s.explain) explained.push(await explain(s));
    console.log(
      `  ${s.id}. ${s.name}: ${outcome.label}; RLS ${fmtMs(median(m.rls.total))} ms vs ` +
        `${fmtMs(median(m.baseline.total))} ms (${m.iterations} iterations, ${secs(t0)} s)`,
    );
  }

  // ---------------------------------------------------------- the vault
  let vaultLines: string[] = [];
  if (vaultRequested) {
    console.log(`\nVault (issue 4): ${fmtCount(VAULT_CREDENTIALS)} credentials in ${data.customer.slug}`);
    vaultLines = await runVaultBench({
      url: db.url,
      tenantId: data.customer.id,
      msspId: data.msspId,
      caller: allScenarios[0].caller,
      credentials: VAULT_CREDENTIALS,
      log: console.log,
    });
  }

  // ------------------------------------------------------- the keys page
  let keysPageLines: string[] = [];
  const msspAdmin = { userId: data.users.msspAdmin.id, email: data.users.msspAdmin.email, activeTenantId: null };
  if (!only || only.has("keys-page")) {
    console.log(`\nKeys page (scripts/bench/keys-page.ts): MSSP admin over ${fmtCount(msspTenantIds.length)} tenants, with a Cerbos PDP`);
    keysPageLines = await runKeysPageBench({ url: db.url, caller: msspAdmin, scope: msspTenantIds, log: console.log });
  }

  // ------------------------------------------- the credentials overview
  let overviewLines: string[] = [];
  if (!only || only.has("credentials-overview")) {
    console.log(`\nCredentials overview (scripts/bench/credentials-overview.ts): MSSP admin over ${fmtCount(msspTenantIds.length)} tenants, with a Cerbos PDP`);
    overviewLines = await runCredentialsOverviewBench({ url: db.url, caller: msspAdmin, scope: msspTenantIds, log: console.log });
  }

  // ---------------------------------------------------------- alert triage
  let triageLines: string[] = [];
  if (!only || only.has("triage")) {
    console.log(`\nAlert triage (scripts/bench/triage.ts): list search + sort, list page with a Cerbos PDP, triage actions`);
    triageLines = await runTriageBench({
      customerAdmin: { userId: data.users.customerAdmin.id, email: data.users.customerAdmin.email, activeTenantId: data.customer.id },
      msspAdmin,
      customerTenantIds,
      msspTenantIds,
      log: console.log,
    });
  }

  // ------------------------------------------------ tenant configuration
  let configLines: string[] = [];
  if (!only || only.has("config")) {
    console.log(`\nTenant configuration (scripts/bench/config.ts): effective settings at depth 4, and every customer's at once`);
    configLines = await runConfigBench({
      url: db.url,
      msspId: data.msspId,
      customer: { id: data.customer.id, slug: data.customer.slug },
      site: { id: data.site.id, slug: data.site.slug },
      customerAdmin: { userId: data.users.customerAdmin.id, email: data.users.customerAdmin.email },
      msspAdmin,
      log: console.log,
    });
  }

  // ------------------------------------------------------------ branding
  let brandLines: string[] = [];
  if (!only || only.has("brand")) {
    console.log(`\nBranding (scripts/bench/brand.ts): the host's brand per request, warm and cold, and a page with and without a brand`);
    const { runBrandBench } = await import("./bench/brand");
    const { rows: plainRows } = await (async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        return await c.query<{ slug: string }>("select slug from public.tenants where kind = 'customer' and id <> $1 order by slug limit 1", [data.customer.id]);
      } finally {
        await c.end();
      }
    })();
    brandLines = await runBrandBench({ url: db.url, customer: { id: data.customer.id, slug: data.customer.slug }, site: { slug: data.site.slug }, plain: { slug: plainRows[0].slug }, log: console.log });
  }

  // ------------------------------------------------------ API ingestion
  // Before the rules part: with rules on every tenant each arrival also queues an evaluation job.
  let ingestLines: string[] = [];
  if (!only || only.has("ingest")) {
    console.log(`\nAPI ingestion (scripts/bench/ingest.ts): batches of 500 into ${data.customer.slug}, app path vs raw COPY`);
    ingestLines = await runIngestBench({
      url: db.url,
      tenantId: data.customer.id,
      caller: { userId: data.users.customerAdmin.id, email: data.users.customerAdmin.email, activeTenantId: data.customer.id },
      log: console.log,
    });
  }
  // Through HTTP (scripts/bench/ingest-http.ts): the real gateway behind a real server; --only=noisy: just the noisy neighbour.
  if (!only || only.has("ingest") || only.has("noisy")) {
    console.log(`\nAPI over HTTP (scripts/bench/ingest-http.ts, noisy.ts): ${data.customer.slug}'s key through the gateway`);
    const nc = new pg.Client({ connectionString: db.url });
    await nc.connect();
    const { rows: [neighbour] } = await nc.query<{ id: string; slug: string }>(
      "select id, slug from public.tenants where parent_id = $1 and kind = 'customer' and id <> $2 order by slug limit 1",
      [data.msspId, data.customer.id],
    );
    await nc.end();
    ingestLines.push(
      ...(await runHttpIngestBench({
        url: db.url,
        tenant: { id: data.customer.id, slug: data.customer.slug },
        caller: { userId: data.users.customerAdmin.id, email: data.users.customerAdmin.email, activeTenantId: null },
        neighbour: { ...neighbour, caller: { userId: data.users.msspAdmin.id, email: data.users.msspAdmin.email, activeTenantId: null } },
        parts: { ingest: !only || only.has("ingest"), noisy: true },
        log: console.log,
      })),
    );
  }

  // ------------------------------------------------------- usage metering
  let meteringLines: string[] = [];
  if (!only || only.has("metering")) {
    console.log("\nUsage metering (scripts/bench/metering.ts): 1,000 tenants × 30 days of events, recorded and rolled up");
    const meterOwner = new pg.Client({ connectionString: db.url });
    await meterOwner.connect();
    const tenantIds = (await meterOwner.query<{ id: string }>("select id from public.tenants order by path limit 1000")).rows.map((r) => r.id);
    await meterOwner.end();
    meteringLines = await runMeteringBench({ tenantIds, log: console.log });
  }

  // ------------------------------------------------------- health monitoring
  let healthLines: string[] = [];
  if (!only || only.has("health")) {
    console.log("\nHealth monitoring (scripts/bench/health.ts): every tenant evaluated, then the console /health page's data");
    healthLines = await runHealthBench({ url: db.url, msspAdmin: { userId: data.users.msspAdmin.id, email: data.users.msspAdmin.email, activeTenantId: null }, log: console.log });
  }

  // ------------------------------------------------------- workflow rules
  let rulesLines: string[] = [];
  if (!only || only.has("rules")) {
    console.log(`\nWorkflow rules (scripts/bench/rules.ts): 50 rules per tenant, new alerts in ${data.site.slug} through the evaluate job`);
    rulesLines = await runRulesBench({
      url: db.url,
      msspId: data.msspId,
      site: { id: data.site.id, slug: data.site.slug },
      assigneeId: data.users.customerAdmin.id,
      log: console.log,
    });
  }

  // ------------------------------------------------- policy helpers alone
  // What one call of each helper costs per caller: RLS on a small tenant is
  // (helper calls per statement) x this, plus claims building.
  const helperCost: string[] = [];
  const callers: Array<[string, Scenario["caller"]]> = [
    [`tenant admin (${data.customer.slug})`, allScenarios[0].caller],
    [`site analyst (${data.site.slug})`, allScenarios[2].caller],
    [`MSSP admin (${MSSP_SLUG})`, allScenarios[3].caller],
  ];
  for (const [who, caller] of callers) {
    const cells = await withTenant(caller, async (tx) => {
      const out: string[] = [];
      for (const [label, sql] of [
        ["visible_tenant_ids()", "select count(*)::int as n from tenancy.visible_tenant_ids()"],
        ["tenant_ids_with_role(4 roles)", "select count(*)::int as n from tenancy.tenant_ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}')"],
      ]) {
        const times: number[] = [];
        let n = 0;
        for (let i = 0; i < 53; i++) {
          const t0 = performance.now();
          n = (await tx.client.query(sql)).rows[0].n;
          if (i >= 3) times.push(performance.now() - t0);
        }
        out.push(`${label} ${fmtMs(median(times))} ms (${fmtCount(n)} ids)`);
      }
      return out;
    });
    helperCost.push(`  ${who.padEnd(38)} ${cells.join("; ")}`);
  }

  // -------------------------------------------------------- the lifecycle
  // Last of the measurements: it adds customers to the bench MSSP and
  // offboards one of them, which would change the scopes timed above.
  let lifecycleLines: string[] = [];
  if (lifecycleRequested) {
    console.log(`\nLifecycle (scripts/bench/lifecycle.ts): provisioning, a purge under load, export/restore`);
    lifecycleLines = await runLifecycleBench({
      url: db.url,
      msspId: data.msspId,
      msspSlug: MSSP_SLUG,
      pageCaller: { userId: data.users.customerAdmin.id, email: data.users.customerAdmin.email, activeTenantId: data.customer.id },
      pageCallerLabel: `the tenant admin of ${data.customer.slug}`,
      log: console.log,
    });
  }

  // ----------------------------------------------------------- bulk runs
  // Only when asked (--only=bulk): it adds its own customer and sites to the bench MSSP.
  let bulkLines: string[] = [];
  if (only?.has("bulk")) {
    console.log(`\nBulk runs (scripts/bench/bulk.ts): a setting over one customer's subtree, run and undone by the real worker`);
    bulkLines = await runBulkBench({ url: db.url, msspId: data.msspId, msspAdmin, log: console.log });
  }

  // ------------------------------------------------------------- plans
  const planText = explained.map((e) => e.text).join("\n");
  await writeFile(
    PLANS_FILE,
    `# npm run bench: ${new Date().toISOString()}, ${fmtCount(data.alerts)} alerts, ${fmtCount(data.tenants)} tenants\n\n${planText}`,
  );
  if (printPlans) console.log(`\n${planText}`);
  console.log(`\nPlan verdicts (EXPLAIN ANALYZE as authenticated; full plans in ${path.relative(process.cwd(), PLANS_FILE)}):`);
  for (const e of explained) {
    const ok = e.verdicts.every((v) => v.verdict.ok);
    console.log(`  ${e.scenario.id}. ${ok ? "OK     " : "PROBLEM"} ${e.scenario.name}`);
    for (const v of e.verdicts) {
      console.log(`       ${v.label}: ${v.verdict.summary}`);
      for (const n of v.verdict.notes) console.log(`         note: ${n}`);
    }
  }

  console.log(`\nPolicy helper cost per call (median of 50 round trips, as authenticated; the answer is kept for the transaction (migration 20261201023600), so this is the memo's read, not the computation):`);
  for (const line of helperCost) console.log(line);
  console.log(`  helper calls per request: ${explained.map((e) => `${e.scenario.id}: ${e.verdicts.reduce((n, v) => n + v.verdict.helpers.length, 0)}`).join(", ")}`);

  // ------------------------------------------------------------- table
  const header = ["#", "scenario", "rows", "n", "RLS med", "RLS p95", "base med", "base p95", "ratio", "query RLS/base med", "query ratio"];
  const rows = results.map(({ s, outcome, m }) => {
    const rq = median(m.rls.query);
    const bq = median(m.baseline.query);
    const hasQuery = s.rls.length > 0;
    return [
      s.id,
      s.name,
      outcome.label,
      String(m.iterations),
      fmtMs(median(m.rls.total)),
      fmtMs(p95(m.rls.total)),
      fmtMs(median(m.baseline.total)),
      fmtMs(p95(m.baseline.total)),
      fmtRatio(median(m.rls.total) / median(m.baseline.total)),
      hasQuery ? `${fmtMs(rq)} / ${fmtMs(bq)}` : "-",
      hasQuery ? fmtRatio(rq / bq) : "-",
    ];
  });
  console.log(`\nResults (ms per request, whole transaction incl. begin/commit; "query" = the statements only, without claims building):`);
  console.log(renderTable(header, rows));
  // Every page query on its own: the same statement through RLS (claims set, as authenticated) and as the
  // owner with the explicit tenant filter, in the same transactions as above. Goal (issue 13): ratio <= 1.15x, p95 < 150 ms.
  const perQuery: string[][] = [];
  let over = 0;
  for (const { s, m } of results) {
    s.rls.forEach((st, i) => {
      const r = m.rls.statements[i] ?? [];
      const b = m.baseline.statements[i] ?? [];
      const ratio = median(r) / median(b);
      const ok = ratio <= 1.15 && p95(r) < 150;
      if (!ok) over++;
      perQuery.push([`${s.id}.${i + 1}`, `${s.name}: ${st.label}`, fmtMs(median(r)), fmtMs(p95(r)), fmtMs(median(b)), fmtMs(p95(b)), fmtRatio(ratio), ok ? "ok" : "OVER"]);
    });
  }
  console.log(`\nPer page query (ms; RLS = as authenticated with the claims set, owner = explicit tenant filter; ratio of medians; goal <= 1.15x and RLS p95 < 150 ms):`);
  console.log(renderTable(["#", "query", "RLS med", "RLS p95", "owner med", "owner p95", "ratio", "goal"], perQuery));
  console.log(`  ${perQuery.length - over} of ${perQuery.length} page queries within the goal`);
  for (const { s } of results) if (s.note) console.log(`  ${s.id}: ${s.note}`);
  if (vaultLines.length > 0) {
    console.log(`\nVault (seal/open/rotation):`);
    for (const line of vaultLines) console.log(`  ${line}`);
  }
  if (keysPageLines.length > 0) {
    console.log(`\nKeys page (median ms per page load):`);
    for (const line of keysPageLines) console.log(`  ${line}`);
  }
  if (overviewLines.length > 0) {
    console.log(`\nCredentials overview (ms per page load):`);
    for (const line of overviewLines) console.log(`  ${line}`);
  }
  if (brandLines.length > 0) {
    console.log("\nBranding (per request):");
    for (const line of brandLines) console.log(`  ${line}`);
  }
  if (configLines.length > 0) {
    console.log(`\nTenant configuration (issue 10; ms per call, whole transaction):`);
    for (const line of configLines) console.log(`  ${line}`);
  }
  if (triageLines.length > 0) {
    console.log(`\nAlert triage (issue 10):`);
    for (const line of triageLines) console.log(`  ${line}`);
  }
  if (ingestLines.length > 0) {
    console.log(`\nAPI ingestion (issue 11): database part vs COPY, then through HTTP:`);
    for (const line of ingestLines) console.log(`  ${line}`);
  }
  if (meteringLines.length > 0) {
    console.log(`\nUsage metering (issue 12):`);
    for (const line of meteringLines) console.log(`  ${line}`);
  }
  if (healthLines.length > 0) {
    console.log(`\nHealth monitoring (issue 12):`);
    for (const line of healthLines) console.log(`  ${line}`);
  }
  if (rulesLines.length > 0) {
    console.log(`\nWorkflow rules (issue 10):`);
    for (const line of rulesLines) console.log(`  ${line}`);
  }
  if (lifecycleLines.length > 0) {
    console.log(`\nLifecycle (issue 8):`);
    for (const line of lifecycleLines) console.log(`  ${line}`);
  }
  if (bulkLines.length > 0) {
    console.log(`\nBulk runs (issue 13):`);
    for (const line of bulkLines) console.log(`  ${line}`);
  }
  // The pools' backends flush their scan counts when they exit.
  await closePool();
  console.log(`\nIndexes (pg_stat_user_indexes over this run; docs/performance-indexes.md says why each one not scanned is kept):`);
  for (const line of await unusedIndexLines(db.url, indexScansBefore)) console.log(`  ${line}`);
  console.log(`\nSetup ${setupSeconds.toFixed(1)} s; total ${secs(started)} s.`);
  if (keep) {
    console.log(`\n--keep: Postgres stays up at ${db.url} until Ctrl-C (data is deleted on exit).`);
    await new Promise(() => {});
  }
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  console.error(`bench failed: ${(error as Error).stack ?? error}`);
  // drizzle wraps the driver's error: its message (SQLSTATE, server text) is the cause.
  const cause = (error as { cause?: { message?: string; code?: string } }).cause;
  if (cause) console.error(`cause: ${cause.code ?? ""} ${cause.message ?? cause}`);
  exitCode = 1;
} finally {
  await shutdown();
}
process.exit(exitCode);
