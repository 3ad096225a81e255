// A plain HTTP client for the attack matrix and the route fuzzer: every
// header as given (Host, Origin, Cookie, X-Forwarded-Host included, which
// browsers and fetch() would rewrite or refuse), no redirects followed, no
// cookie jar. Every request goes to the e2e server's socket whatever Host says.
import http from "node:http";
import { PORT } from "../helpers";

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  /** The Host header, e.g. "acme.localhost:3100". */
  host: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

export function raw(req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, "utf8");
    const r = http.request(
      {
        host: "127.0.0.1",
        port: PORT,
        method: req.method ?? "GET",
        path: req.path,
        agent,
        setHost: false,
        headers: {
          host: req.host,
          ...(body ? { "content-length": String(body.length) } : {}),
          ...req.headers,
        },
        timeout: req.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("latin1") }));
        res.on("error", reject);
      },
    );
    r.on("timeout", () => r.destroy(new Error(`timeout: ${req.method ?? "GET"} ${req.host}${req.path}`)));
    r.on("error", reject);
    if (body) r.write(body);
    r.end();
  });
}

/** Runs `fn` over `items`, at most `width` at a time, keeping the order of results. */
export async function inBatches<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/** name=value pairs of every Set-Cookie header. */
export function setCookies(res: RawResponse): Map<string, string> {
  const out = new Map<string, string>();
  const list = res.headers["set-cookie"] ?? [];
  for (const line of list) {
    const [pair] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq > 0) out.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return out;
}

export const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
