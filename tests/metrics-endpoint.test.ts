// /metrics (lib/metrics, issue 12 point 4):
//   - the bearer token: none configured → 404, missing or wrong → 401, right → 200;
//   - the proxy serves /metrics as is on the console host only (a tenant host rewrites it to its pages);
//   - bounded tenant labels (fast-check): never more than METRICS_TENANT_LABELS tenants
//     labelled, no series ever decreases (the "other" series included), nothing lost;
//   - scraped by a real Prometheus (Debian's prometheus package): the target is up with the
//     token and down with a wrong one, and our series are in its database. Skipped, saying
//     why, where the binary is absent (.ci/run installs it).
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { NextRequest } from "next/server";
import { routeRequest } from "../proxy";
import { parseSettings } from "@/lib/config/settings";
import { observeApiAdmission } from "@/lib/metrics/api";
import { scrapeAccess } from "@/lib/metrics/auth";
import { handleMetricsRequest } from "@/lib/metrics/handler";
import { BoundedTenants, OTHER } from "@/lib/metrics/tenant-labels";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

const TOKEN = "metrics-test-token-0123456789abcdef0123456789";
const PROMETHEUS = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"].find((p) => existsSync(p));
let db: TestDatabase;
let server: http.Server;
let port: number;

before(async () => {
  db = await createTestDatabase();
  process.env.METRICS_TOKEN = TOKEN;
  // A plain Node server in front of the route's handler, as Next would call it.
  server = http.createServer(async (req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const answer = await handleMetricsRequest(new Request(`http://${req.headers.host}${req.url}`, { headers }));
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await db?.drop();
});

const get = (authorization?: string) =>
  fetch(`http://127.0.0.1:${port}/metrics`, { headers: authorization ? { authorization } : {} });

describe("the token", () => {
  test("no token configured: 404, whatever is sent", async () => {
    const saved = process.env.METRICS_TOKEN;
    delete process.env.METRICS_TOKEN;
    try {
      assert.equal((await get()).status, 404);
      assert.equal((await get(`Bearer ${TOKEN}`)).status, 404);
    } finally {
      process.env.METRICS_TOKEN = saved;
    }
  });

  test("missing, wrong, truncated or extended token: 401 with a Bearer challenge; the right one: 200 in Prometheus text format", async () => {
    for (const auth of [undefined, "Bearer nope", `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN]) {
      const res = await get(auth);
      assert.equal(res.status, 401, String(auth));
      assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
      assert.doesNotMatch(await res.text(), /portal_/);
    }
    observeApiAdmission("acme", "allowed");
    const ok = await get(`Bearer ${TOKEN}`);
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const body = await ok.text();
    for (const series of ["portal_jobs{status=\"queued\"}", "portal_metrics_db_up 1", "portal_db_pool_connections{state=\"in_use\"}", "portal_process_cpu_seconds_total", "portal_http_requests_total{group=\"metrics\",status=\"401\"}"]) {
      assert.ok(body.includes(series), `${series} in\n${body.slice(0, 400)}`);
    }
  });

  test("scrapeAccess: a short token setting is refused at start; the comparison sees the whole token", () => {
    assert.equal(scrapeAccess(`Bearer ${TOKEN}`, TOKEN), "ok");
    assert.equal(scrapeAccess(`bearer ${TOKEN}`, TOKEN), "ok");
    assert.equal(scrapeAccess(`Bearer ${TOKEN}`, ""), "disabled");
    assert.throws(() => parseSettings({ METRICS_TOKEN: "too-short" }), /METRICS_TOKEN must be at least 32 characters/);
    assert.equal(parseSettings({ METRICS_TOKEN: ` ${TOKEN} ` }).METRICS_TOKEN, TOKEN);
    assert.equal(scrapeAccess(null, TOKEN), "unauthorized");
    assert.equal(scrapeAccess("Bearer ", TOKEN), "unauthorized");
  });
});

describe("the proxy", () => {
  test("/metrics is served as is on the console host; on a tenant host it is that tenant's (nonexistent) page", () => {
    const consoleRes = routeRequest(new NextRequest("http://localhost:3000/metrics", { headers: { host: "localhost:3000" } }));
    assert.equal(consoleRes.headers.get("x-middleware-rewrite"), null);
    assert.equal(consoleRes.headers.get("x-middleware-next"), "1");
    const tenantRes = routeRequest(new NextRequest("http://acme.localhost:3000/metrics", { headers: { host: "acme.localhost:3000" } }));
    assert.match(tenantRes.headers.get("x-middleware-rewrite") ?? "", /\/t\/acme\/metrics$/);
  });
});

describe("bounded tenant labels", () => {
  test("at most N labelled tenants; no series decreases; every increment lands in exactly one series", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.oneof(fc.record({ tenant: fc.integer({ min: 0, max: 30 }).map((n) => `t${n}`) }), fc.constant("scrape" as const)), { maxLength: 300 }),
        (limit, steps) => {
          const b = new BoundedTenants(limit, 8);
          const series = new Map<string, number>();
          let total = 0;
          let previous = new Map<string, number>();
          for (const s of steps) {
            if (s === "scrape") {
              b.promote();
              assert.ok(b.labelledCount <= limit);
              for (const [k, v] of previous) assert.ok((series.get(k) ?? 0) >= v, `${k} decreased`);
              previous = new Map(series);
              continue;
            }
            const label = b.labelOf(s.tenant);
            assert.ok(label === OTHER || b.isLabelled(label));
            series.set(label, (series.get(label) ?? 0) + 1);
            total++;
          }
          assert.equal([...series.values()].reduce((a, c) => a + c, 0), total);
          assert.ok([...series.keys()].filter((k) => k !== OTHER).length <= limit);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("the busiest tenants get the labels", () => {
    const b = new BoundedTenants(2);
    for (let i = 0; i < 5; i++) b.labelOf("small");
    for (let i = 0; i < 50; i++) b.labelOf("big");
    for (let i = 0; i < 20; i++) b.labelOf("mid");
    assert.deepEqual(b.promote(), ["big", "mid"]);
    assert.equal(b.labelOf("small"), OTHER);
    assert.equal(b.labelOf("big"), "big");
  });
});

describe("scraped by a real Prometheus", { skip: PROMETHEUS ? false : "no prometheus binary (apt-get install prometheus; .ci/run installs it)" }, () => {
  let dir: string;
  let prom: ChildProcess | undefined;
  let promPort: number;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "prometheus-"));
    promPort = await freePort();
    const job = (name: string, token: string) => `
  - job_name: ${name}
    scrape_interval: 1s
    scrape_timeout: 900ms
    metrics_path: /metrics
    authorization:
      type: Bearer
      credentials: ${token}
    static_configs:
      - targets: ["127.0.0.1:${port}"]`;
    await writeFile(path.join(dir, "prometheus.yml"), `global:\n  scrape_interval: 1s\nscrape_configs:${job("portal", TOKEN)}${job("portal_wrong_token", "not-the-token-not-the-token-000000")}\n`);
    prom = spawn(PROMETHEUS!, [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${promPort}`], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let log = "";
    prom.stderr!.on("data", (d) => (log = (log + d).slice(-4000)));
    prom.on("exit", (code) => {
      if (code) console.log(`# prometheus exited ${code}:\n${log}`);
    });
    observeApiAdmission("globex", "rate_limited_tenant");
  });
  after(async () => {
    if (prom && prom.exitCode === null) {
      prom.kill("SIGTERM");
      await new Promise((r) => prom!.once("exit", r));
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function query(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    assert.equal(body.status, "success");
    return body.data.result;
  }

  async function eventually<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  test("up == 1 with the token, up == 0 with a wrong one; our series are stored", async () => {
    const up = await eventually("both targets scraped", async () => {
      const r = await query("up");
      return r.length === 2 ? r : undefined;
    });
    const byJob = Object.fromEntries(up.map((r) => [r.metric.job, r.value[1]]));
    assert.deepEqual(byJob, { portal: "1", portal_wrong_token: "0" });
    const db = await eventually("portal_metrics_db_up", async () => {
      const r = await query('portal_metrics_db_up{job="portal"}');
      return r.length ? r : undefined;
    });
    assert.equal(db[0].value[1], "1");
    const api = await query('portal_api_tenant_requests_total{job="portal"}');
    assert.ok(api.some((r) => r.metric.outcome === "rate_limited_tenant"), JSON.stringify(api));
    assert.ok(api.every((r) => r.metric.tenant === "other" || ["acme", "globex"].includes(r.metric.tenant)));
    assert.equal((await query('portal_http_requests_total{job="portal",group="metrics",status="200"}')).length, 1);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = http.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on("error", reject);
  });
}
