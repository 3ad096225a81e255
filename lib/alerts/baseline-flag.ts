// Whether this server serves the load bench's baseline pages (lib/alerts/baseline.ts):
// only when started with BENCH_BASELINE_PAGES=1, as `npm run bench -- --only=load` does.
// On its own (no imports) so proxy.ts can ask it.

/** True only in a server started by the load bench. */
export function benchBaselineEnabled(env: Record<string, string | undefined> = process.env): boolean {
  return env.BENCH_BASELINE_PAGES === "1";
}

/** The path prefix of the baseline pages (app/bench-baseline), routed by proxy.ts only when enabled. */
export const BENCH_BASELINE_PREFIX = "/bench-baseline/";

/** Whether proxy.ts passes `pathname` through to app/bench-baseline (never without the variable). */
export function isBenchBaselinePath(pathname: string, env: Record<string, string | undefined> = process.env): boolean {
  return benchBaselineEnabled(env) && pathname.startsWith(BENCH_BASELINE_PREFIX);
}
