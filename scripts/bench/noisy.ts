// Noisy neighbour (issue 11, point 4): tenant A sends 10× its request limit
// while tenant B ingests at its normal rate. B's latency alone, then with A
// flooding; B must see no 429 and keep its p95 (goal: within 1.5× of its solo
// baseline). Used by `npm run bench -- --only=noisy` (and --only=ingest) and,
// with a loose bound, by tests/api-noisy-neighbour.test.ts.
//
// A's flood is open-loop (requests fired on a clock, not after the previous
// answer), so a slower answer does not slow the flood down. Its bucket is
// emptied before B's contended phase, so what is measured is the steady state
// of a tenant over its limit (a 429 for most requests, its limit's worth
// allowed), not the first minute's burst allowance.
import { alertBatchJson, apiClient, percentile, type ApiAnswer } from "./api-http";

export interface NoisyInput {
  baseUrl: string;
  a: { host: string; key: string; perMinute: number };
  b: { host: string; key: string };
  /** B sends one batch every intervalMs (default 250: 4 a second). */
  bIntervalMs?: number;
  /** Alerts in each of B's (and A's) batches (default 100). */
  batch?: number;
  /** Length of each phase (default 10 s). */
  phaseMs?: number;
  log?: (line: string) => void;
}

export interface PhaseStats {
  n: number;
  p50: number;
  p95: number;
  statuses: Record<number, number>;
  /** The first few answers that were neither 200 nor 429, status and body: what a failure report needs. */
  unexpected: string[];
}

export interface NoisyResult {
  solo: PhaseStats;
  contended: PhaseStats;
  ratio: number;
  /** B's 429s in the contended phase. */
  b429: number;
  /** A's answers during the contended phase, by status. */
  a: Record<number, number>;
  aRequested: number;
  aPerSecond: number;
}

const stats = (answers: ApiAnswer[]): PhaseStats => {
  const ms = answers.map((a) => a.ms);
  const statuses: Record<number, number> = {};
  for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  const unexpected = answers.filter((a) => a.status !== 200 && a.status !== 429).slice(0, 3).map((a) => `${a.status} ${a.body.slice(0, 400)}`);
  return { n: answers.length, p50: percentile(ms, 50), p95: percentile(ms, 95), statuses, unexpected };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function steady(send: (n: number) => Promise<ApiAnswer>, intervalMs: number, phaseMs: number): Promise<ApiAnswer[]> {
  const out: ApiAnswer[] = [];
  const end = performance.now() + phaseMs;
  for (let n = 0; performance.now() < end; n++) {
    const t0 = performance.now();
    out.push(await send(n));
    const wait = intervalMs - (performance.now() - t0);
    if (wait > 0) await sleep(wait);
  }
  return out;
}

export async function runNoisyNeighbour(input: NoisyInput): Promise<NoisyResult> {
  const log = input.log ?? (() => {});
  const interval = input.bIntervalMs ?? 250;
  const size = input.batch ?? 100;
  const phaseMs = input.phaseMs ?? 10_000;
  const run = `noisy-${Date.now().toString(36)}`;
  const a = apiClient(input.baseUrl, input.a.host, input.a.key, 32);
  const b = apiClient(input.baseUrl, input.b.host, input.b.key, 2);
  try {
    const sendB = (phase: string) => (n: number) => b.call("POST", "/alerts", alertBatchJson(`${run}-b-${phase}`, n, size));
    // Warm-up (connections, plans), then B alone.
    await steady(sendB("warm"), interval, Math.min(2_000, phaseMs));
    const solo = await steady(sendB("solo"), interval, phaseMs);

    // Empty A's buckets first: its burst allowance is not the steady state.
    for (let i = 0; i < input.a.perMinute + 10; i += 4) {
      const r = await Promise.all([0, 1, 2, 3].map(() => a.call("GET", "/me")));
      if (r.some((x) => x.status === 429)) break;
    }

    // A floods at 10× its limit, open-loop, while B keeps its pace.
    const aPerSecond = (10 * input.a.perMinute) / 60;
    const aAnswers: Promise<ApiAnswer>[] = [];
    let aRequested = 0;
    let flooding = true;
    const flood = (async () => {
      const started = performance.now();
      while (flooding) {
        const due = Math.floor(((performance.now() - started) / 1000) * aPerSecond);
        while (aRequested < due) {
          aAnswers.push(a.call("POST", "/alerts", alertBatchJson(`${run}-a`, aRequested, size)));
          aRequested++;
        }
        await sleep(5);
      }
    })();
    await sleep(500);
    const contended = await steady(sendB("contended"), interval, phaseMs);
    flooding = false;
    await flood;
    const aDone = await Promise.all(aAnswers);
    const aStatuses: Record<number, number> = {};
    for (const x of aDone) aStatuses[x.status] = (aStatuses[x.status] ?? 0) + 1;
    const s = stats(solo);
    const c = stats(contended);
    const result: NoisyResult = { solo: s, contended: c, ratio: c.p95 / s.p95, b429: c.statuses[429] ?? 0, a: aStatuses, aRequested, aPerSecond };
    log(`B alone: ${s.n} batches of ${size}, p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms`);
    log(`B while A floods at ${aPerSecond.toFixed(1)} requests/s (10× its ${input.a.perMinute}/min): ${c.n} batches, p50 ${c.p50.toFixed(1)} ms, p95 ${c.p95.toFixed(1)} ms, 429s: ${result.b429}`);
    log(`A's answers: ${Object.entries(aStatuses).map(([k, v]) => `${v}× ${k}`).join(", ")}`);
    for (const u of [...s.unexpected, ...c.unexpected]) log(`B's unexpected answer: ${u}`);
    return result;
  } finally {
    a.close();
    b.close();
  }
}
