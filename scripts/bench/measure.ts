// Timing loop and statistics for the RLS benchmark.
//
// The two sides of a scenario are run alternately (RLS, baseline, RLS, ...)
// so drift in the machine (cache warm-up, autovacuum, a noisy neighbour)
// lands on both, after a few warm-up runs of each.

export interface RunResult {
  /** Rows the scenario returned or touched (as the scenario counts them). */
  rows: number;
  /** Milliseconds spent in the statements themselves, inside the transaction. */
  queryMs: number;
  /** Milliseconds per statement, in order (the per-query figures of the report). */
  statementMs?: number[];
}

export interface Samples {
  total: number[];
  query: number[];
  /** statements[i]: the samples of the scenario's i-th statement. */
  statements: number[][];
}

function push(samples: Samples, totalMs: number, result: RunResult) {
  samples.total.push(totalMs);
  samples.query.push(result.queryMs);
  (result.statementMs ?? []).forEach((ms, i) => (samples.statements[i] ??= []).push(ms));
}

export interface Budget {
  warmup: number;
  minIterations: number;
  maxIterations: number;
  /** Stop after this many seconds once minIterations are done. */
  seconds: number;
  /** Stop after this many seconds even below minIterations (but not below floorIterations). */
  hardCapSeconds: number;
  floorIterations: number;
}

export const DEFAULT_BUDGET: Budget = {
  warmup: 3,
  minIterations: 30,
  maxIterations: 200,
  seconds: Number(process.env.BENCH_SECONDS ?? 6),
  hardCapSeconds: Number(process.env.BENCH_HARD_CAP_SECONDS ?? 20),
  floorIterations: 10,
};

async function timeOne(fn: () => Promise<RunResult>): Promise<{ totalMs: number; result: RunResult }> {
  const t0 = performance.now();
  const result = await fn();
  return { totalMs: performance.now() - t0, result };
}

export async function measurePair(
  rls: () => Promise<RunResult>,
  baseline: () => Promise<RunResult>,
  budget: Budget = DEFAULT_BUDGET,
): Promise<{ rls: Samples; baseline: Samples; iterations: number }> {
  for (let i = 0; i < budget.warmup; i++) {
    await rls();
    await baseline();
  }
  const out = { rls: { total: [], query: [], statements: [] } as Samples, baseline: { total: [], query: [], statements: [] } as Samples };
  const started = performance.now();
  let n = 0;
  for (;;) {
    const a = await timeOne(rls);
    push(out.rls, a.totalMs, a.result);
    const b = await timeOne(baseline);
    push(out.baseline, b.totalMs, b.result);
    n++;
    const elapsed = (performance.now() - started) / 1000;
    if (n >= budget.maxIterations) break;
    if (n >= budget.minIterations && elapsed >= budget.seconds) break;
    if (n >= budget.floorIterations && elapsed >= budget.hardCapSeconds) break;
  }
  return { ...out, iterations: n };
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const median = (values: number[]) => percentile(values, 50);
export const p95 = (values: number[]) => percentile(values, 95);

/** A count with thousands separators, the way every bench line prints one. */
export const fmtCount = (n: number) => n.toLocaleString("en-US");

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

export function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return "-";
  return r >= 10 ? `${r.toFixed(0)}x` : `${r.toFixed(2)}x`;
}

/** A plain-text table with a header rule; columns right-aligned except the first `left`. */
export function renderTable(header: string[], rows: string[][], left = 2): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < left ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ");
  const rule = widths.map((w) => "-".repeat(w)).join("-+-");
  return [line(header), rule, ...rows.map(line)].join("\n");
}
