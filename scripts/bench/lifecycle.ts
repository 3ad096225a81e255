// The tenant lifecycle at MSSP scale (issue 8, "How it is proven", third
// bullet) for `npm run bench -- --only=lifecycle`:
//
//   1. provisioning   BENCH_LIFECYCLE_TENANTS (default 500) customers submitted
//                     one after another under the bench MSSP, each exactly as
//                     `npm run tenants -- create` does (provisionTenant and its
//                     audit row in one lifecycle.workflow service-role
//                     transaction), while the job engine runs them as the Next
//                     server does (runWorker: graphile-worker, LISTEN/NOTIFY
//                     pickup, concurrency 1, the registered handlers). Per
//                     tenant, from the job row: submit → picked up
//                     (created_at → started_at), the workflow (started_at →
//                     finished_at, i.e. until "active") and submit → active.
//                     With one worker and a burst of submissions, submit →
//                     active is mostly the queue: the run time is the
//                     per-tenant cost. KUBECONFIG is unset for the section, so
//                     the isolation step renders and validates the manifests
//                     and records "rendered, not applied" (no cluster).
//   2. purge          one of those customers gets BENCH_PURGE_ALERTS (default
//                     200,000) alerts (and one asset per 100 alerts), set-based
//                     SQL as the owner; then it is offboarded (startOffboarding
//                     with graceDays 0, TENANT_ARCHIVE_KEY_FILE a throwaway key
//                     and TENANT_ARCHIVE_DIR a temporary folder, so the export
//                     step runs for real) by the same worker, while another
//                     customer's alert page (listAlerts, page 1, inside
//                     withTenant as that customer's admin: claims hook, RLS) is
//                     loaded over and over. Page samples are sorted by the
//                     offboarding step they fell in (job_steps timestamps):
//                     p50/p95 before, during the export and during the purge,
//                     and the purge's p95 against before (goal ≤ 1.5x). The
//                     worker shares this process with the page loop, as it
//                     shares the Next server's.
//   3. archive        runArchiveBench (scripts/bench/archive.ts) on that
//                     customer before it is offboarded: export, read back and
//                     restore-over-itself rates in rows/s with peak RSS.
//
// Owns, and leaves behind in the throwaway bench database: the provisioned
// customers (one of them a tombstone), their jobs and audit rows. Nothing
// else is changed or deleted; the temporary folder (archives, key) is removed.
// Job log lines are silenced (log level warn) for the section.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { recordAudit } from "@/lib/audit/record";
import type { Caller } from "@/lib/db/claims";
import { withTenant } from "@/lib/db/with-tenant";
import { registerDefaultHandlers } from "@/lib/jobs/default-handlers";
import { generateAlertsAndAssets, timePhase } from "@/lib/demo/scale";
import { newWorkerId, runWorker } from "@/lib/jobs/worker";
import { listAlerts } from "@/lib/alerts/list";
import { startOffboarding, OFFBOARD_KIND } from "@/lib/lifecycle/offboard";
import { PURGE_BATCH } from "@/lib/lifecycle/offboard-workflow";
import { provisionTenant, PROVISION_KIND } from "@/lib/lifecycle/provision";
import { withLifecycle } from "@/lib/lifecycle/service-path";
import { log as appLog } from "@/lib/log";
import { runArchiveBench, type ArchiveBenchResult } from "./archive";
import { fmtCount, fmtMs, fmtRatio, median, p95, percentile, renderTable } from "./measure";

export interface LifecycleBenchInput {
  /** The database owner's URL (the bench's DATABASE_URL). */
  url: string;
  /** The MSSP the customers are provisioned under. */
  msspId: string;
  msspSlug: string;
  /** Whose alert page is measured during the purge: a tenant admin of another customer. */
  pageCaller: Caller;
  pageCallerLabel: string;
  log: (line: string) => void;
}

const TENANTS = Number(process.env.BENCH_LIFECYCLE_TENANTS ?? 500);
const PURGE_ALERTS = Number(process.env.BENCH_PURGE_ALERTS ?? 200_000);
/** Page loads before the offboarding starts: at least this long and this many. */
const BEFORE_SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const BEFORE_MIN = 50;
/** Jobs that make no visible progress (a job or step finished, a progress tick) for this long fail the bench. */
const STALL_MS = 600_000;

const epochNow = () => performance.timeOrigin + performance.now();
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const rate = (n: number, ms: number) => fmtCount(Math.round(n / (ms / 1000)));

interface Sample {
  start: number;
  end: number;
}
const durations = (samples: Sample[]) => samples.map((s) => s.end - s.start);

/**
 * Runs the job engine as the Next server does (runWorker, the registered
 * handlers, only `kind`) until every job of `jobIds` has ended, then stops it.
 */
async function runUntilDone(owner: pg.Client, kind: string, jobIds: () => string[], submitting: () => boolean, label: string) {
  const stop = new AbortController();
  const worker = runWorker({ kinds: [kind], signal: stop.signal, workerId: newWorkerId(`bench-${label}`) });
  let workerError: unknown;
  worker.catch((e) => (workerError = e));
  let lastSeen = "";
  let lastProgress = Date.now();
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      if (workerError) throw workerError;
      const ids = jobIds();
      const { rows: [c] } = await owner.query<{ done: number; seen: string }>(
        `select count(*) filter (where status in ('succeeded', 'failed', 'cancelled'))::int as done,
                concat_ws(':', count(*), sum(progress_done), (select count(*) from public.job_steps s where s.job_id = any($1::uuid[]) and s.status = 'succeeded')) as seen
           from public.jobs where id = any($1::uuid[])`,
        [ids],
      );
      if (!submitting() && c.done === ids.length) break;
      if (c.seen !== lastSeen) {
        lastSeen = c.seen;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > STALL_MS) {
        throw new Error(`lifecycle bench (${label}): no progress for ${STALL_MS / 1000} s (${c.done} of ${ids.length} jobs done)`);
      }
    }
  } finally {
    stop.abort();
    await worker.catch(() => {});
  }
}

async function provisionMany(input: LifecycleBenchInput, owner: pg.Client) {
  const { log } = input;
  const submitMs: number[] = [];
  const jobIds: string[] = [];
  const tenantIds: string[] = [];
  let submitting = true;
  const engine = runUntilDone(owner, PROVISION_KIND, () => jobIds, () => submitting, "provision");
  let engineError: unknown;
  engine.catch((e) => (engineError = e));
  const t0 = performance.now();
  try {
    for (let i = 1; i <= TENANTS; i++) {
      if (engineError) break;
      const slug = `lc-${String(i).padStart(4, "0")}`;
      const s = performance.now();
      const made = await withLifecycle(async (db) => {
        const p = await provisionTenant(db, { tenantId: input.msspId, name: `Lifecycle bench ${i}`, slug, adminEmail: `admin@${slug}.test` }, null);
        await recordAudit(db, {
          tenantId: input.msspId,
          action: "tenant.provision-requested",
          targetType: "tenant",
          targetId: p.tenant.id,
          outcome: "success",
          details: { via: "npm run bench", slug, repeated: !p.created },
        });
        return p;
      });
      submitMs.push(performance.now() - s);
      if (!made.created) throw new Error(`lifecycle bench: ${slug} existed already`);
      jobIds.push(made.job.id);
      tenantIds.push(made.tenant.id);
    }
  } catch (error) {
    // Let the worker finish what was queued before giving up.
    submitting = false;
    await engine.catch(() => {});
    throw error;
  }
  submitting = false;
  log(`     submitted ${fmtCount(jobIds.length)} in ${secs(performance.now() - t0)}; waiting for the worker`);
  await engine;

  const { rows } = await owner.query<{ status: string; created: number; started: number; finished: number; isolation: string | null; last_error: string | null }>(
    `select j.status, extract(epoch from j.created_at) * 1000 as created, extract(epoch from j.started_at) * 1000 as started,
            extract(epoch from j.finished_at) * 1000 as finished, j.result->>'isolation' as isolation, j.last_error
       from public.jobs j where j.id = any($1::uuid[])`,
    [jobIds],
  );
  const failed = rows.filter((r) => r.status !== "succeeded");
  if (failed.length > 0) throw new Error(`lifecycle bench: ${failed.length} provisioning job(s) did not succeed, e.g. ${failed[0].status}: ${failed[0].last_error}`);
  const { rows: [check] } = await owner.query<{ active: number; invitations: number; keys: number }>(
    `select (select count(*) from public.tenants where id = any($1::uuid[]) and status = 'active')::int as active,
            (select count(*) from public.invitations where tenant_id = any($1::uuid[]))::int as invitations,
            (select count(distinct tenant_id) from keyring.tenant_keys where tenant_id = any($1::uuid[]))::int as keys`,
    [tenantIds],
  );
  if (check.active !== TENANTS || check.invitations !== TENANTS || check.keys !== TENANTS) {
    throw new Error(`lifecycle bench: after provisioning, ${JSON.stringify(check)} of ${TENANTS}`);
  }
  const n = (x: unknown) => Number(x);
  const wait = rows.map((r) => n(r.started) - n(r.created));
  const run = rows.map((r) => n(r.finished) - n(r.started));
  const total = rows.map((r) => n(r.finished) - n(r.created));
  const wallMs = Math.max(...rows.map((r) => n(r.finished))) - Math.min(...rows.map((r) => n(r.created)));
  const isolation = [...new Set(rows.map((r) => r.isolation))].join(", ");
  return { tenantIds, submitMs, wait, run, total, wallMs, isolation, check };
}

/** The tenant to purge: PURGE_ALERTS alerts and a hundredth as many assets (lib/demo/scale, as the setup's). */
async function generatePurgeTarget(owner: pg.Client, tenantId: string, log: (line: string) => void) {
  const assets = Math.max(1, Math.round(PURGE_ALERTS / 100));
  // The secondary indexes stay: rebuilding them would cover every other tenant's alerts too.
  const rows = await generateAlertsAndAssets(owner, {
    roots: [tenantId],
    alerts: PURGE_ALERTS,
    assets,
    rebuildIndexes: false,
    description: "Generated by the lifecycle benchmark.",
    log: (line) => log(`   ${line}`),
  });
  await timePhase(rows.phases, (line) => log(`   ${line}`), "vacuum (analyze)", () => owner.query("vacuum (analyze) public.alerts, public.assets"));
  return rows.assets;
}

/** Loads `page` until `until()` says stop; returns each load's start and end (epoch ms). */
async function loadPages(page: () => Promise<unknown>, until: (samples: Sample[]) => boolean): Promise<Sample[]> {
  const samples: Sample[] = [];
  while (!until(samples)) {
    const start = epochNow();
    await page();
    samples.push({ start, end: epochNow() });
  }
  return samples;
}

interface StepTimes {
  name: string;
  status: string;
  start: number;
  end: number;
  output: Record<string, unknown>;
}

async function offboardWhileMeasuring(input: LifecycleBenchInput, owner: pg.Client, target: { id: string; name: string }) {
  const { log } = input;
  const page = () => withTenant(input.pageCaller, (tx) => listAlerts(tx.db, { page: 1 }));
  const first = await page();
  if (first.rows.length === 0) throw new Error(`lifecycle bench: ${input.pageCallerLabel} sees no alerts`);
  if (first.rows.some((r) => r.tenantSlug.startsWith("lc-"))) throw new Error("lifecycle bench: the measured page shows the purged tenant's alerts");
  for (let i = 0; i < 5; i++) await page();
  const beforeStarted = epochNow();
  const before = await loadPages(page, (s) => s.length >= BEFORE_MIN && epochNow() - beforeStarted >= BEFORE_SECONDS * 1000);
  log(`     alert page before: ${before.length} loads, p50 ${fmtMs(median(durations(before)))} ms, p95 ${fmtMs(p95(durations(before)))} ms`);

  const submitted = epochNow();
  const started = await withLifecycle(async (db) => {
    const s = await startOffboarding(db, { tenantId: target.id, confirmName: target.name, graceDays: 0 }, null);
    await recordAudit(db, { tenantId: target.id, action: "tenant.offboarding-started", targetType: "tenant", targetId: target.id, outcome: "success", details: { via: "npm run bench", grace_days: 0 } });
    return s;
  });
  let done = false;
  const during = loadPages(page, () => done);
  try {
    await runUntilDone(owner, OFFBOARD_KIND, () => [started.job.id], () => false, "offboard");
  } finally {
    done = true;
  }
  const samples = await during;

  const { rows: [job] } = await owner.query(
    `select status, last_error, result, extract(epoch from created_at) * 1000 as created, extract(epoch from started_at) * 1000 as started,
            extract(epoch from finished_at) * 1000 as finished
       from public.jobs where id = $1`,
    [started.job.id],
  );
  if (job.status !== "succeeded") throw new Error(`lifecycle bench: the offboarding ${job.status}: ${job.last_error}`);
  const { rows: stepRows } = await owner.query(
    `select name, status, output, extract(epoch from started_at) * 1000 as start, extract(epoch from finished_at) * 1000 as "end"
       from public.job_steps where job_id = $1 order by position`,
    [started.job.id],
  );
  const steps: StepTimes[] = stepRows.map((r) => ({ name: r.name, status: r.status, output: r.output, start: Number(r.start), end: Number(r.end) }));
  const step = (name: string) => steps.find((s) => s.name === name)!;
  const { rows: [left] } = await owner.query<{ status: string; alerts: number; assets: number }>(
    `select (select status from public.tenants where id = $1) as status,
            (select count(*) from public.alerts where tenant_id = $1)::int as alerts,
            (select count(*) from public.assets where tenant_id = $1)::int as assets`,
    [target.id],
  );
  if (left.status !== "deprovisioned" || left.alerts !== 0 || left.assets !== 0) throw new Error(`lifecycle bench: after the offboarding ${JSON.stringify(left)}`);
  const within = (s: StepTimes) => samples.filter((x) => x.start >= s.start && x.end <= s.end);
  return {
    before,
    samples,
    within,
    steps,
    step,
    job: { created: Number(job.created), started: Number(job.started), finished: Number(job.finished), result: job.result },
    submitted,
    pageTotal: first.total,
  };
}

export async function runLifecycleBench(input: LifecycleBenchInput): Promise<string[]> {
  const { log } = input;
  for (const [name, v] of Object.entries({ BENCH_LIFECYCLE_TENANTS: TENANTS, BENCH_PURGE_ALERTS: PURGE_ALERTS })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  }
  const saved = {
    KUBECONFIG: process.env.KUBECONFIG,
    TENANT_ARCHIVE_KEY_FILE: process.env.TENANT_ARCHIVE_KEY_FILE,
    TENANT_ARCHIVE_DIR: process.env.TENANT_ARCHIVE_DIR,
  };
  const savedLevel = appLog.level;
  const dir = await mkdtemp(path.join(os.tmpdir(), "lifecycle-bench-"));
  const owner = new pg.Client({ connectionString: input.url });
  await owner.connect();
  const out: string[] = [];
  try {
    // No cluster: the isolation step renders and validates, "rendered, not applied".
    delete process.env.KUBECONFIG;
    process.env.TENANT_ARCHIVE_DIR = path.join(dir, "archives");
    process.env.TENANT_ARCHIVE_KEY_FILE = path.join(dir, "transfer.key");
    await writeFile(process.env.TENANT_ARCHIVE_KEY_FILE, randomBytes(32).toString("base64"), { mode: 0o600 });
    appLog.level = "warn";
    registerDefaultHandlers();

    // ------------------------------------------------------ 1. provisioning
    const t1 = performance.now();
    log(`  1. provisioning ${fmtCount(TENANTS)} customers under ${input.msspSlug} (one worker, concurrency 1; KUBECONFIG unset)`);
    const prov = await provisionMany(input, owner);
    log(`     done in ${secs(performance.now() - t1)}`);

    // ------------------------------------------ 2a. the tenant to purge
    const { rows: [target] } = await owner.query<{ id: string; slug: string; name: string }>(
      `select id, slug, name from public.tenants where id = $1`,
      [prov.tenantIds[0]],
    );
    const t2 = performance.now();
    const assets = await generatePurgeTarget(owner, target.id, log);
    log(`  2. ${target.slug}: ${fmtCount(PURGE_ALERTS)} alerts and ${fmtCount(assets)} assets generated (set-based, then vacuum analyze) in ${secs(performance.now() - t2)}`);

    // ------------------------------------- 3. export/restore rates (before the purge)
    const t3 = performance.now();
    log(`  3. archive of ${target.slug} (scripts/bench/archive.ts)`);
    const archive: ArchiveBenchResult = await runArchiveBench({ ownerUrl: input.url, tenantSlug: target.slug, log: (l) => log(`     ${l}`) });
    // The restore rewrote every row of the tenant: fresh statistics before timing pages.
    await owner.query("vacuum (analyze) public.alerts, public.assets");
    log(`     done in ${secs(performance.now() - t3)}`);

    // --------------------------- 2b. offboarding while another tenant's page is loaded
    const t4 = performance.now();
    log(`  2. offboarding ${target.slug} (graceDays 0, export to a temporary folder) while ${input.pageCallerLabel} loads the alert page`);
    const off = await offboardWhileMeasuring(input, owner, target);
    log(`     done in ${secs(performance.now() - t4)}`);

    // ------------------------------------------------------------ report
    out.push(
      `1. Provisioning: ${fmtCount(TENANTS)} customers under ${input.msspSlug}, submitted one after another as \`npm run tenants -- create\` does, ` +
        `run by one worker (runWorker, concurrency 1, the server's setting); isolation: ${prov.isolation} (KUBECONFIG unset: manifests rendered and validated, not applied)`,
    );
    const dist = (label: string, v: number[]) => [label, fmtCount(v.length), fmtMs(median(v)), fmtMs(p95(v)), fmtMs(percentile(v, 100))];
    out.push(
      renderTable(
        ["per tenant (ms)", "n", "p50", "p95", "max"],
        [
          dist("submit (provisionTenant + audit, one tx)", prov.submitMs),
          dist("waiting in the queue (created → started)", prov.wait),
          dist("workflow, 6 steps (started → active)", prov.run),
          dist("submit → active (created → finished)", prov.total),
        ],
        1,
      ),
    );
    out.push(
      `wall time ${secs(prov.wallMs)} (first submit → last active): ${(TENANTS / (prov.wallMs / 1000)).toFixed(1)} tenants/s; ` +
        `checked: ${fmtCount(prov.check.active)} active, ${fmtCount(prov.check.invitations)} invitations, ${fmtCount(prov.check.keys)} with a data key`,
    );

    const exp = off.step("export");
    const purge = off.step("purge");
    const purgeRows = Number(purge.output.rowsDeleted ?? 0);
    const exportRows = Number(exp.output.rows ?? 0);
    const before = durations(off.before);
    const row = (label: string, s: Sample[]) => {
      const d = durations(s);
      return [label, fmtCount(d.length), fmtMs(median(d)), fmtMs(p95(d)), d.length ? fmtRatio(p95(d) / p95(before)) : "-"];
    };
    const duringPurge = off.within(purge);
    const ratio = p95(durations(duringPurge)) / p95(before);
    out.push(
      `2. Purge: ${target.slug} (${fmtCount(PURGE_ALERTS)} alerts, ${fmtCount(assets)} assets) offboarded with graceDays 0 by the same worker, ` +
        `batches of ${fmtCount(PURGE_BATCH)} rows; measured meanwhile: listAlerts page 1 as ${input.pageCallerLabel} ` +
        `(withTenant, RLS; ${fmtCount(off.pageTotal)} alerts visible), back to back`,
    );
    out.push(
      renderTable(
        ["alert page (ms)", "n", "p50", "p95", "p95 vs before"],
        [
          row("before the offboarding", off.before),
          row(`during export (${secs(exp.end - exp.start)})`, off.within(exp)),
          row(`during purge (${secs(purge.end - purge.start)})`, duringPurge),
          row(`whole workflow (${secs(off.job.finished - off.job.started)})`, off.samples),
        ],
        1,
      ),
    );
    out.push(
      `(the page loop shares this process with the worker, as pages share the Next server's with its worker: during the export, ` +
        `gzip and encryption of the archive run on the same event loop)`,
    );
    out.push(
      `purge p95 / before p95: ${fmtRatio(ratio)} (goal ≤ 1.5x: ${duringPurge.length === 0 ? "no sample fell inside the purge" : ratio <= 1.5 ? "met" : "NOT MET"})`,
    );
    out.push(
      `purge step: ${fmtCount(purgeRows)} rows in ${secs(purge.end - purge.start)}, ${rate(purgeRows, purge.end - purge.start)} rows/s; ` +
        `export step: ${fmtCount(exportRows)} rows, ${(Number(exp.output.bytes ?? 0) / 1024 / 1024).toFixed(1)} MiB in ${secs(exp.end - exp.start)}, ${rate(exportRows, exp.end - exp.start)} rows/s`,
    );
    out.push(
      `whole workflow: ${secs(off.job.finished - off.job.started)} (started → tombstone), ${secs(off.job.finished - off.job.created)} from submit; steps: ` +
        off.steps.map((s) => `${s.name} ${secs(s.end - s.start)}`).join(", "),
    );

    out.push(`3. Archive (runArchiveBench, scripts/bench/archive.ts) of ${target.slug} before its offboarding: ${fmtCount(archive.rows)} rows, ${(archive.bytes / 1024 / 1024).toFixed(1)} MiB`);
    out.push(
      renderTable(
        ["phase", "seconds", "rows/s", "peak RSS MiB"],
        archive.phases.map((p) => [p.name, p.seconds.toFixed(2), fmtCount(Math.round(p.rowsPerSecond)), p.peakRssMb.toFixed(0)]),
        1,
      ),
    );
    return out.flatMap((l) => l.split("\n"));
  } finally {
    appLog.level = savedLevel;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await owner.end().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}
