// Health monitoring at scale for `npm run bench -- --only=health` (issue 12
// point 3), over the bench's generated tree (1,000 customers and their sites):
//   evaluate   one evaluation of every tenant (lib/health/evaluate.ts: the
//              set-based measurements, the upsert, the transitions), ms per run
//   page       the console /health page's data (lib/health/page-data.ts
//              loadHealthBoard: the counts per state and the first page of 50
//              tiles) for the MSSP admin, under RLS with the real PDP deciding
//              alerts:triage per tenant: p50 / p95 over 30 loads
// Every tenant gets a collector; a tenth of them are silent (degraded) and a
// hundredth long silent (down), and three evaluations leave a history.
import pg from "pg";
import type { Caller } from "@/lib/db/claims";
import { withTenant } from "@/lib/db/with-tenant";
import { evaluateHealth } from "@/lib/health/evaluate";
import { loadHealthBoard } from "@/lib/health/page-data";
import { ensureCerbos } from "@/scripts/lib/cerbos";
import { fmtCount, median, p95 } from "./measure";

export interface HealthBenchInput {
  url: string;
  msspAdmin: Caller;
  log: (line: string) => void;
  loads?: number;
}

export async function runHealthBench(o: HealthBenchInput): Promise<string[]> {
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
    const { s1, firstMs, times, last } = await prepareHealthData(owner);
    say(
      `evaluate: ${fmtCount(s1.tenants)} tenants, first run ${firstMs.toFixed(0)} ms; then median ${median(times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms per run ` +
        `(${last.states.healthy} healthy, ${last.states.degraded} degraded, ${last.states.down} down)`,
    );

    const loads = o.loads ?? 30;
    const pageTimes: number[] = [];
    let tiles = 0;
    let scope = 0;
    for (let i = 0; i < loads + 3; i++) {
      const t = performance.now();
      const board = await withTenant(o.msspAdmin, (tx) => loadHealthBoard(tx));
      if (i >= 3) pageTimes.push(performance.now() - t); // three warm-up loads
      tiles = board.tiles.length;
      scope = board.scope;
    }
    say(`console /health page data (MSSP admin, RLS + PDP per tenant): ${fmtCount(scope)} tenants counted, ${fmtCount(tiles)} tiles on the first page, p50 ${median(pageTimes).toFixed(0)} ms, p95 ${p95(pageTimes).toFixed(0)} ms over ${loads} loads`);
  } finally {
    await owner.end();
    if (previousUrl === undefined) delete process.env.CERBOS_URL;
    else process.env.CERBOS_URL = previousUrl;
  }
  return lines;
}

/**
 * Health data over the generated tree, as the owner: a collector per customer and site, a tenth of them
 * silent (degraded) and a hundredth long silent (down), then six evaluations (the first, then five after the
 * silences) so tenant_health has states and tenant_health_transitions a history. Also used by the page
 * scenarios (scripts/bench/page-scenarios.ts) before timing the /health pages' queries.
 */
export async function prepareHealthData(owner: pg.Client) {
  await owner.query(
    `insert into public.collectors (tenant_id, name, last_heartbeat_at)
     select id, 'bench-collector', now() from public.tenants where kind <> 'mssp'
     on conflict (tenant_id, name) do update set last_heartbeat_at = now()`,
  );
  const now = Date.now();
  const first = performance.now();
  const s1 = await evaluateHealth({ now: new Date(now + 60_000) });
  const firstMs = performance.now() - first;
  await owner.query(
    `update public.collectors c set last_heartbeat_at = now() - case when t.rn % 100 = 0 then interval '2 hours' else interval '20 minutes' end
       from (select id, row_number() over (order by id) as rn from public.tenants where kind <> 'mssp') t
      where c.tenant_id = t.id and t.rn % 10 = 0`,
  );
  const times: number[] = [];
  let last = s1;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    last = await evaluateHealth({ now: new Date(now + (2 + i) * 60_000) });
    times.push(performance.now() - t);
  }
  return { s1, firstMs, times, last };
}
