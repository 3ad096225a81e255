// Waiting between tries: exponential with jitter, and never sooner than a
// Retry-After the portal asked for. Sleeps end early when the collector is
// told to stop (SIGTERM/SIGINT), so a stop never waits out a long backoff.

/**
 * Delay before try number `attempt` + 1 (attempt >= 1): the exponential step
 * base·2^(attempt-1), capped at max, of which a random half is kept ("equal
 * jitter": many collectors that failed together do not come back together,
 * and each still waits at least half the step). A Retry-After wins when longer.
 */
export function backoffDelay(attempt: number, opts: { baseMs: number; maxMs: number; retryAfterMs?: number | null }, random: () => number = Math.random): number {
  const step = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  const jittered = Math.round(step / 2 + random() * (step / 2));
  return Math.max(jittered, opts.retryAfterMs ?? 0);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. Capped at an hour. */
export function retryAfterMs(header: string | string[] | undefined | null, now = Date.now()): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, 3_600_000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - now), 3_600_000);
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
