// Bulk runs for `npm run bench -- --only=bulk` (not part of the default run:
// it adds its own tenants to the bench's tree). A customer with
// BENCH_BULK_TENANTS - 1 sites (default 200 tenants in all) is added under the
// bench MSSP; the MSSP admin plans a setting change (locale.time_zone) over
// it, starts it, and the real worker (lib/jobs runJobsUntilIdle with the
// bulk.run handler, a Cerbos PDP) runs it; then its undo runs. BENCH_BULK_CYCLES
// (default 3) forward runs and undos, each timed as a whole (every item's
// transaction, the job's claims, progress and end) and divided by the tenants:
//   ms per tenant           median over the cycles
//   round trips per tenant  client.query calls to Postgres (a multi-statement
//                           simple query is one), counted on pg.Client
//   statements per tenant   what the server ran (each statement of a
//                           multi-statement query counted)
//   service-role switch     of those round trips, the ones that only switch
//                           lib/bulk/engine.ts' writes to the service role and
//                           back (lib/db/service-role.ts withServiceRoleIn),
//                           and their wall time
import pg from "pg";
import type { Caller } from "@/lib/db/claims";
import { withTenant } from "@/lib/db/with-tenant";
import { bulkHandlers, BULK_JOB_KIND, planRun, startRun, undoRun, type OperationParams } from "@/lib/bulk";
import { runJobsUntilIdle } from "@/lib/jobs";
import { ensureCerbos } from "@/scripts/lib/cerbos";
import { fmtCount, median } from "./measure";

export interface BulkBenchInput {
  url: string;
  msspId: string;
  msspAdmin: Caller;
  log: (line: string) => void;
  tenants?: number;
  cycles?: number;
}

interface Counts {
  roundTrips: number;
  statements: number;
  switching: number;
  /** Wall time of those switching round trips (sent to answered). */
  switchingMs: number;
}

/** The round trips withServiceRoleIn spends switching to the service role and back (not the write itself). */
const SWITCH = /service_role_in|set local role service_role|current_user::text as role|set_config\('role'|set_config\('request\.jwt\.claims', \$1/;

/** Counts every query the process sends through pg.Client while `fn` runs. */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; counts: Counts; ms: number }> {
  const counts: Counts = { roundTrips: 0, statements: 0, switching: 0, switchingMs: 0 };
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === "string" ? first : ((first as { text?: string } | undefined)?.text ?? "");
    counts.roundTrips++;
    // A service-role transaction of its own (the job engine's) opens with "begin": not a switch.
    const switching = SWITCH.test(text) && !text.startsWith("begin");
    if (switching) counts.switching++;
    const sent = performance.now();
    const out = original.apply(this, args);
    if (out && typeof (out as Promise<unknown>).then === "function") {
      (out as Promise<unknown>).then(
        (r) => {
          counts.statements += Array.isArray(r) ? r.length : 1;
          if (switching) counts.switchingMs += performance.now() - sent;
        },
        () => void counts.statements++,
      );
    }
    return out;
  };
  const t0 = performance.now();
  try {
    const result = await fn();
    return { result, counts, ms: performance.now() - t0 };
  } finally {
    proto.query = original;
  }
}

export async function runBulkBench(o: BulkBenchInput): Promise<string[]> {
  const tenants = o.tenants ?? Number(process.env.BENCH_BULK_TENANTS ?? 200);
  const cycles = o.cycles ?? Number(process.env.BENCH_BULK_CYCLES ?? 3);
  const pdp = await ensureCerbos({ quiet: true });
  const previousUrl = process.env.CERBOS_URL;
  process.env.CERBOS_URL = pdp.url;
  const owner = new pg.Client({ connectionString: o.url });
  await owner.connect();
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    o.log(`  ${line}`);
  };
  try {
    // The bench's own subtree: a customer and its sites, so the run covers exactly `tenants` tenants.
    const { rows: [customer] } = await owner.query<{ id: string }>(
      `insert into public.tenants (parent_id, slug, name, kind) values ($1, 'bulk-bench', 'Bulk bench', 'customer')
       on conflict (slug) do update set name = excluded.name returning id`,
      [o.msspId],
    );
    await owner.query(
      `insert into public.tenants (parent_id, slug, name, kind)
       select $1, 'bulk-bench-site-' || lpad(g::text, 5, '0'), 'Bulk bench site ' || g, 'site' from generate_series(1, $2::int) g
       on conflict (slug) do nothing`,
      [customer.id, tenants - 1],
    );
    const pingMs: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await owner.query("select 1");
      pingMs.push(performance.now() - t);
    }
    say(`one round trip (select 1, owner connection): median ${median(pingMs).toFixed(3)} ms`);

    const params: OperationParams = { operation: "setting", key: "locale.time_zone", mode: "set", value: "Asia/Tokyo" };
    const selection = { rootId: customer.id, kinds: "all" as const, status: "any" as const, plan: "", q: "" };
    const work = () => runJobsUntilIdle({ kinds: [BULK_JOB_KIND], handlers: bulkHandlers() });
    const forward: Array<{ ms: number; counts: Counts }> = [];
    const back: Array<{ ms: number; counts: Counts }> = [];
    for (let c = 0; c < cycles; c++) {
      const run = await withTenant(o.msspAdmin, (tx) => planRun(tx, { runTenantId: o.msspId, selection, params }));
      if (run.total !== tenants || run.toChange !== tenants) throw new Error(`bulk bench: planned ${run.total} tenants, ${run.toChange} to change; expected ${tenants}`);
      await withTenant(o.msspAdmin, (tx) => startRun(tx, { runTenantId: o.msspId, runId: run.id, confirm: run.toChange, canary: null }));
      forward.push(await counted(work));
      await expectStatus(owner, run.id, "finished", "done", tenants);
      await withTenant(o.msspAdmin, (tx) => undoRun(tx, o.msspId, run.id));
      back.push(await counted(work));
      await expectStatus(owner, run.id, "undone", "undone", tenants);
    }
    for (const [label, runs] of [["run", forward], ["undo", back]] as const) {
      const per = (f: (r: { ms: number; counts: Counts }) => number) => median(runs.map(f)) / tenants;
      say(
        `${label}: ${fmtCount(tenants)} tenants (locale.time_zone), median of ${cycles}: ${(median(runs.map((r) => r.ms)) / 1000).toFixed(2)} s, ` +
          `${per((r) => r.ms).toFixed(2)} ms per tenant; per tenant ${per((r) => r.counts.roundTrips).toFixed(1)} round trips, ` +
          `${per((r) => r.counts.statements).toFixed(1)} statements, ${per((r) => r.counts.switching).toFixed(1)} of the round trips switching to the service role and back ` +
          `(${per((r) => r.counts.switchingMs).toFixed(2)} ms per tenant)`,
      );
    }
  } finally {
    await owner.end();
    if (previousUrl === undefined) delete process.env.CERBOS_URL;
    else process.env.CERBOS_URL = previousUrl;
  }
  return lines;
}

async function expectStatus(owner: pg.Client, runId: string, run: string, item: string, n: number) {
  const { rows: [r] } = await owner.query<{ status: string; n: number }>(
    "select r.status, (select count(*)::int from public.bulk_run_items i where i.run_id = r.id and i.status = $2) as n from public.bulk_runs r where r.id = $1",
    [runId, item],
  );
  if (r?.status !== run || r.n !== n) throw new Error(`bulk bench: run ${runId} is ${r?.status} with ${r?.n} items ${item}; expected ${run} with ${n}`);
}
