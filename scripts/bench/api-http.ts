// The tenant API over real HTTP for the benchmarks (npm run bench --
// --only=ingest / --only=noisy) and tests/api-noisy-neighbour.test.ts: the
// real gateway (lib/api/gateway, the routes of lib/api/routes.ts) behind a
// node:http server, as the route handler runs it, and a keep-alive client
// that sets the Host header (the tenant's host) the way a sensor would.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { apiHandler } from "@/lib/api/gateway";
import { API_ROUTES } from "@/lib/api/routes";
import { benchAlertItems } from "./ingest";

export interface ApiHttpServer {
  url: string;
  close(): Promise<void>;
}

export async function serveApi(): Promise<ApiHttpServer> {
  const handler = apiHandler(API_ROUTES);
  const server = http.createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const body = chunks.length && req.method !== "GET" && req.method !== "HEAD" ? Buffer.concat(chunks) : undefined;
      const response = await handler(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body }));
      const out: Record<string, string> = {};
      response.headers.forEach((v, k) => (out[k] = v));
      res.writeHead(response.status, out).end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      // The gateway answers every error itself: one that escapes it is reported whole.
      console.error("api-http: the gateway threw", error);
      res.writeHead(500).end(`the gateway threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ApiAnswer {
  status: number;
  ms: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export interface ApiClient {
  call(method: string, path: string, body?: string): Promise<ApiAnswer>;
  close(): void;
}

/** A client for one key on one host; `sockets` concurrent connections at most, kept alive. */
export function apiClient(baseUrl: string, host: string, key: string, sockets = 4): ApiClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  return {
    call(method, path, body) {
      const headers: Record<string, string> = { host, authorization: `Bearer ${key}`, accept: "application/json" };
      if (body !== undefined) {
        headers["content-type"] = "application/json";
        headers["content-length"] = String(Buffer.byteLength(body));
      }
      const t0 = performance.now();
      return new Promise((resolve, reject) => {
        const req = http.request(`${baseUrl}/api/v1${path}`, { method, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
          res.on("error", reject);
        });
        req.on("error", reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

/** A batch of `n` alerts as a sensor sends them (each with its raw vendor payload), as JSON text. */
export function alertBatchJson(run: string, n: number, size: number): string {
  return JSON.stringify({ alerts: benchAlertItems(run, n, size) });
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
