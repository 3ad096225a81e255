// The tenant API over HTTP for `npm run bench -- --only=ingest` (issue 11):
//
//   HTTP ingest   POST /api/v1/alerts, batches of 500 with raw payloads, from
//                 a few concurrent keep-alive clients, through the real gateway
//                 (key, claims, PDP, rate limits, quota, JSON, zod, the
//                 handler's transaction) behind a node:http server; alerts/s
//                 over the wall time (goal >= 5,000/s on 2 cores)
//   where a batch's time goes   the same batch's pieces timed on their own:
//                 JSON.parse, the zod schema, sealing 500 raw payloads, the
//                 database part (ingestAlerts under RLS), the whole gateway
//                 in-process (no socket)
//   API reads     GET /alerts first page and a cursor page: p50/p95
//   rate limit    the request path's check (takeRequestTokens: one service-role
//                 transaction, the key's and the tenant's buckets) and one bare
//                 lib/ratelimit take(), per call
//   noisy         the noisy-neighbour figures (scripts/bench/noisy.ts)
// The client runs in the bench's process: its share of the 2 cores counts
// against the server (request bodies are serialized before the clock starts).
import { randomUUID } from "node:crypto";
import pg from "pg";
import { apiHandler } from "@/lib/api/gateway";
import { parseInput } from "@/lib/api/gateway/input";
import { takeRequestTokens } from "@/lib/api/gateway/limits";
import { createApiKey } from "@/lib/api/keys/store";
import { API_ROUTES } from "@/lib/api/routes";
import { ingestAlertsEndpoint } from "@/lib/api/endpoints";
import { tenantResource } from "@/lib/authz";
import type { Caller } from "@/lib/db/claims";
import { withTenant } from "@/lib/db/with-tenant";
import { withServiceRole } from "@/lib/db/service-role";
import { ingestAlerts } from "@/lib/ingest/alerts";
import { sealingKey, sealRawEvent } from "@/lib/ingest/raw";
import type { AlertItem } from "@/lib/ingest/schemas";
import { perWindow, take } from "@/lib/ratelimit";
import { ensureCerbos } from "@/scripts/lib/cerbos";
import { alertBatchJson, apiClient, percentile, serveApi } from "./api-http";
import { runNoisyNeighbour } from "./noisy";

export interface HttpIngestBenchInput {
  url: string;
  tenant: { id: string; slug: string };
  /** A tenant admin of the tenant (creates the key). */
  caller: Caller;
  /** A second customer for the noisy-neighbour part (its admin creates its key). */
  neighbour?: { id: string; slug: string; caller: Caller };
  /** Which parts: the HTTP ingest figures, the noisy neighbour (needs `neighbour`). */
  parts: { ingest: boolean; noisy: boolean };
  log: (line: string) => void;
}

const BATCH = 500;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;

async function analyzeAlerts(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("analyze public.alerts, public.alert_raw_events");
  } finally {
    await c.end();
  }
}

async function raiseLimits(url: string, tenantIds: string[]) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const id of tenantIds) {
      // The bench measures throughput, not the limits: room for it (the noisy part sets its own).
      await c.query(
        `insert into public.tenant_settings (tenant_id, key, value) values
           ($1, 'limits.api_requests_per_minute', '100000'), ($1, 'limits.api_key_requests_per_minute', '100000'),
           ($1, 'limits.api_ingest_per_day', '100000000')
         on conflict (tenant_id, key) do update set value = excluded.value`,
        [id],
      );
    }
  } finally {
    await c.end();
  }
}

async function newKey(caller: Caller, tenantId: string, name: string) {
  return withTenant({ ...caller, activeTenantId: null }, async (tx) => {
    const tenant = (await tenantResource(tx.db, tenantId))!;
    return createApiKey(tx, { tenant, name, scopes: ["alerts:write", "alerts:read"], expiresInDays: 7 });
  });
}

export async function runHttpIngestBench(input: HttpIngestBenchInput): Promise<string[]> {
  const { log } = input;
  // The gateway asks the PDP: the bench's own Cerbos unless one is configured (stopped at the end).
  const pdp = await ensureCerbos({ quiet: true });
  const hadPdp = process.env.CERBOS_URL !== undefined;
  process.env.CERBOS_URL = pdp.url;
  await raiseLimits(input.url, [input.tenant.id]);
  const key = await newKey(input.caller, input.tenant.id, "bench http ingest");
  const host = `${input.tenant.slug}.localhost:3000`;
  const server = await serveApi();
  const lines: string[] = [];
  const out = (l: string) => {
    lines.push(l);
    log(`  ${l}`);
  };
  try {
    if (input.parts.ingest) await ingestFigures(input, { serverUrl: server.url, key, host, out });
    if (input.parts.noisy && input.neighbour) lines.push(...(await runNoisyBench({ ...input, neighbour: input.neighbour, serverUrl: server.url, bKey: key.key, host })));
  } finally {
    await server.close();
    await pdp.stop();
    if (!hadPdp) delete process.env.CERBOS_URL;
  }
  return lines;
}

async function ingestFigures(
  input: HttpIngestBenchInput,
  { serverUrl, key, host, out }: { serverUrl: string; key: { id: string; key: string }; host: string; out: (l: string) => void },
): Promise<void> {
  {
    const server = { url: serverUrl };
    const run = randomUUID().slice(0, 8);
    const clients = Number(process.env.BENCH_HTTP_CLIENTS ?? 4);
    const batches = Number(process.env.BENCH_HTTP_BATCHES ?? 60);
    const client = apiClient(server.url, host, key.key, clients);

    // Warm-up: connections, plans, the PDP's cache, the tenant's key.
    for (let i = 0; i < 3; i++) {
      const r = await client.call("POST", "/alerts", alertBatchJson(`${run}-warm`, i, BATCH));
      if (r.status !== 200) throw new Error(`warm-up batch answered ${r.status}: ${r.body.slice(0, 300)}`);
    }

    // ---- HTTP ingest: `clients` concurrent senders, `batches` batches of 500.
    const bodies = Array.from({ length: batches }, (_, n) => alertBatchJson(`${run}-http`, n, BATCH));
    let next = 0;
    let created = 0;
    const latencies: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const r = await client.call("POST", "/alerts", body);
          if (r.status !== 200) throw new Error(`POST /alerts answered ${r.status}: ${r.body.slice(0, 300)}`);
          created += (JSON.parse(r.body) as { summary: { created: number } }).summary.created;
          latencies.push(r.ms);
        }
      }),
    );
    const wall = performance.now() - t0;
    if (created !== batches * BATCH) throw new Error(`created ${created} of ${batches * BATCH}`);
    const rate = (created * 1000) / wall;
    out(`HTTP ingest: ${fmt(created)} alerts in ${batches} batches of ${BATCH} (raw payloads), ${clients} concurrent clients: ${(wall / 1000).toFixed(1)} s = ${fmt(rate)} alerts/s (goal >= 5,000/s); per batch p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}`);

    // Single client, for the per-request view.
    const single: number[] = [];
    const t1 = performance.now();
    for (let n = 0; n < 10; n++) {
      const r = await client.call("POST", "/alerts", alertBatchJson(`${run}-single`, n, BATCH));
      if (r.status !== 200) throw new Error(`POST /alerts answered ${r.status}`);
      single.push(r.ms);
    }
    out(`HTTP ingest, one client: ${fmt((10 * BATCH * 1000) / (performance.now() - t1))} alerts/s; per batch p50 ${ms(percentile(single, 50))}`);

    // ---- Where a batch's time goes (one batch, pieces timed alone, medians of 10).
    const handler = apiHandler(API_ROUTES);
    const pieces = { json: [] as number[], zod: [] as number[], seal: [] as number[], db: [] as number[], gateway: [] as number[] };
    const keyMaterial = (await sealingKey(input.tenant.id))!;
    const caller: Caller = { ...input.caller, activeTenantId: input.tenant.id };
    for (let n = 0; n < 10; n++) {
      const text = alertBatchJson(`${run}-piece`, n, BATCH);
      let t = performance.now();
      const raw = JSON.parse(text);
      pieces.json.push(performance.now() - t);
      t = performance.now();
      const parsed = parseInput(ingestAlertsEndpoint as never, { params: {}, query: {}, body: raw }) as { body: { alerts: { ok: boolean; value: AlertItem }[] } };
      pieces.zod.push(performance.now() - t);
      t = performance.now();
      for (const item of parsed.body.alerts) sealRawEvent(keyMaterial.dek, { tenantId: input.tenant.id, alertId: randomUUID(), keyVersion: keyMaterial.version }, JSON.stringify(item.value.raw));
      pieces.seal.push(performance.now() - t);
      t = performance.now();
      await withTenant(caller, (tx) => ingestAlerts(tx, input.tenant.id, parsed.body.alerts as never));
      pieces.db.push(performance.now() - t);
      const text2 = alertBatchJson(`${run}-gw`, n, BATCH);
      t = performance.now();
      const res = await handler(
        new Request(`http://${host}/api/v1/alerts`, {
          method: "POST",
          headers: { host, authorization: `Bearer ${key.key}`, "content-type": "application/json", "content-length": String(Buffer.byteLength(text2)) },
          body: text2,
        }),
      );
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`in-process gateway answered ${res.status}`);
      pieces.gateway.push(performance.now() - t);
    }
    const med = (v: number[]) => percentile(v, 50);
    const overhead = med(pieces.gateway) - med(pieces.json) - med(pieces.zod) - med(pieces.db);
    out(
      `one batch of ${BATCH}, medians: JSON.parse ${ms(med(pieces.json))}, zod ${ms(med(pieces.zod))}, sealing raw ${ms(med(pieces.seal))} (inside the database part), ` +
        `database part (ingestAlerts under RLS) ${ms(med(pieces.db))}; whole gateway in-process ${ms(med(pieces.gateway))} ` +
        `(key, PDP, limits, quota, transactions: ${ms(Math.max(0, overhead))}); over HTTP ${ms(percentile(single, 50))}`,
    );

    // ---- API reads.
    // After ~100k rows arrived in seconds, as autovacuum's analyze would do before long: with the
    // statistics of before the ingest, the planner takes the tenant for a small one and sorts all
    // its rows (~80 ms) instead of reading the newest 51 from alerts_tenant_detected (~2 ms).
    await analyzeAlerts(input.url);
    const first: number[] = [];
    const paged: number[] = [];
    const page = JSON.parse((await client.call("GET", "/alerts?limit=50")).body) as { next_cursor: string | null };
    if (!page.next_cursor) throw new Error("no second page of alerts");
    for (let i = 0; i < 40; i++) {
      const a = await client.call("GET", "/alerts?limit=50");
      if (a.status !== 200) throw new Error(`GET /alerts answered ${a.status}`);
      first.push(a.ms);
      const b = await client.call("GET", `/alerts?limit=50&cursor=${encodeURIComponent(page.next_cursor)}`);
      if (b.status !== 200) throw new Error(`GET /alerts (cursor) answered ${b.status}`);
      paged.push(b.ms);
    }
    out(`API reads over HTTP (50 alerts a page): first page p50 ${ms(percentile(first, 50))}, p95 ${ms(percentile(first, 95))}; cursor page p50 ${ms(percentile(paged, 50))}, p95 ${ms(percentile(paged, 95))}`);
    client.close();

    // ---- Rate-limit check cost per request.
    const limits = { tenantPerMinute: 100_000, keyPerMinute: 100_000, concurrent: 8, ingestPerDay: 1e8 };
    const checks: number[] = [];
    const takes: number[] = [];
    for (let i = 0; i < 220; i++) {
      let t = performance.now();
      await takeRequestTokens(input.tenant.id, key.id, limits);
      if (i >= 20) checks.push(performance.now() - t);
      // take() as the request path runs it: a statement inside the already open service-role transaction.
      await withServiceRole("ratelimit", async (db) => {
        const t2 = performance.now();
        await take(`bench:${run}`, perWindow(1e6, 60), { db });
        if (i >= 20) takes.push(performance.now() - t2);
      });
    }
    out(
      `rate-limit check per request (takeRequestTokens: one transaction, key + tenant buckets, usage counter): p50 ${ms(percentile(checks, 50))}, p95 ${ms(percentile(checks, 95))} (goal < 1 ms); ` +
        `one lib/ratelimit take() inside the open transaction: p50 ${ms(percentile(takes, 50))}, p95 ${ms(percentile(takes, 95))}`,
    );
  }
}

async function runNoisyBench(input: HttpIngestBenchInput & { neighbour: NonNullable<HttpIngestBenchInput["neighbour"]>; serverUrl: string; bKey: string; host: string }): Promise<string[]> {
  const perMinute = Number(process.env.BENCH_NOISY_LIMIT ?? 120);
  const c = new pg.Client({ connectionString: input.url });
  await c.connect();
  try {
    await c.query(
      `insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.api_requests_per_minute', $2::jsonb)
       on conflict (tenant_id, key) do update set value = excluded.value`,
      [input.neighbour.id, String(perMinute)],
    );
  } finally {
    await c.end();
  }
  const aKey = await newKey(input.neighbour.caller, input.neighbour.id, "bench noisy neighbour");
  const lines: string[] = [];
  const r = await runNoisyNeighbour({
    baseUrl: input.serverUrl,
    a: { host: `${input.neighbour.slug}.localhost:3000`, key: aKey.key, perMinute },
    b: { host: input.host, key: input.bKey },
    phaseMs: Number(process.env.BENCH_NOISY_SECONDS ?? 15) * 1000,
    log: (l) => lines.push(`noisy neighbour: ${l}`),
  });
  lines.push(`noisy neighbour: B's p95 contended / alone = ${r.ratio.toFixed(2)}x (goal <= 1.5x), B's 429s: ${r.b429} (goal 0)`);
  for (const l of lines) input.log(`  ${l}`);
  return lines;
}
