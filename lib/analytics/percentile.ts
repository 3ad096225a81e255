// A customer's percentile among peers, for lower-is-better metrics: the share
// of the peers (the others, with a value) it does better than, ties counted
// half, rounded to a whole number: 100 = better than every peer, 0 = worse
// than every peer. The SQL of analytics.peer_benchmark (migration
// 20261201016500) computes the same thing for the tenant's benchmark page;
// tests/analytics-compare.test.ts checks the two agree.

/** Fewest anonymous peers (other customers the caller cannot see, with a value) a benchmark is shown among. */
export const MIN_PEER_GROUP = 5;

/**
 * Percentile of `own` among `peers` (the others' values; nulls are left
 * out). null when `own` is null or no peer has a value.
 */
export function percentileAmong(own: number | null, peers: readonly (number | null)[]): number | null {
  if (own === null) return null;
  let n = 0;
  let worse = 0;
  let tied = 0;
  for (const v of peers) {
    if (v === null) continue;
    n += 1;
    if (v > own) worse += 1;
    else if (v === own) tied += 1;
  }
  if (n === 0) return null;
  return Math.round((100 * (worse + 0.5 * tied)) / n);
}
