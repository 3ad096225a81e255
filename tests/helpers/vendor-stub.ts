// A local stand-in for the vendors the collector pulls from: a real HTTP
// server that the collector reaches through CONNECTOR_TEST_ENDPOINT (as the
// connection test does: `<stub>/<connector kind><path of the real URL>`).
//
//   generic_api_key  GET …/alerts?limit&cursor        header <name>: <prefix><key>
//   sentinelone      GET /web/api/v2.1/threats?limit&createdAt__gte&cursor   Authorization: ApiToken <token>
//
// It checks the credential it is given (401 otherwise, with a body that
// quotes what it got back, as some vendors do: the collector must not let it
// reach a log line or a heartbeat), serves pages with a cursor, and fails on
// demand (a queue of statuses per kind: 500, 429 …). Every request is
// recorded with its time.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface GenericAlert {
  id: string;
  title: string;
  severity: string;
  hostname?: string;
  source_ip?: string;
  detected_at?: string;
  description?: string;
}

export interface Threat {
  id: string;
  threatInfo: { threatName: string; classification: string; confidenceLevel: string; createdAt: string; filePath?: string };
  agentRealtimeInfo: { agentComputerName: string };
  agentDetectionInfo: { agentIpV4?: string };
}

export interface StubRequest {
  kind: string;
  path: string;
  query: Record<string, string>;
  authorized: boolean;
  status: number;
  at: number;
}

export interface VendorStub {
  url: string;
  generic: { alerts: GenericAlert[]; header: string; value: string };
  sentinelone: { threats: Threat[]; token: string };
  requests: StubRequest[];
  /** The next requests of `kind` get these statuses (then normal service resumes). */
  failNext(kind: "generic_api_key" | "sentinelone", ...statuses: number[]): void;
  close(): Promise<void>;
}

export function genericAlerts(n: number, from = 1): GenericAlert[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `g-${from + i}`,
    title: `Generic alert ${from + i}`,
    severity: ["critical", "high", "medium", "low", "info"][i % 5],
    hostname: `host-${from + i}`,
    source_ip: `10.0.0.${(from + i) % 250}`,
    detected_at: new Date(Date.UTC(2026, 10, 1, 10, 0, from + i)).toISOString(),
  }));
}

export function threats(n: number, from = 1): Threat[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${1_700_000_000_000 + from + i}`,
    threatInfo: {
      threatName: `evil-${from + i}.exe`,
      classification: i % 2 ? "Ransomware" : "Trojan",
      confidenceLevel: i % 3 === 2 ? "suspicious" : "malicious",
      createdAt: new Date(Date.UTC(2026, 10, 2, 8, 0, from + i)).toISOString(),
      filePath: `C:\\Users\\Public\\evil-${from + i}.exe`,
    },
    agentRealtimeInfo: { agentComputerName: `ws-${from + i}` },
    agentDetectionInfo: { agentIpV4: `192.0.2.${(from + i) % 250}` },
  }));
}

export async function startVendorStub(init: { genericHeader: string; genericValue: string; sentinelToken: string }): Promise<VendorStub> {
  const failures = new Map<string, number[]>();
  const stub: Omit<VendorStub, "url" | "close"> = {
    generic: { alerts: [], header: init.genericHeader.toLowerCase(), value: init.genericValue },
    sentinelone: { threats: [], token: init.sentinelToken },
    requests: [],
    failNext(kind, ...statuses) {
      failures.set(kind, [...(failures.get(kind) ?? []), ...statuses]);
    },
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stub");
    const [, kind, ...rest] = url.pathname.split("/");
    const path = `/${rest.join("/")}`;
    const query = Object.fromEntries(url.searchParams);
    const record = (status: number, authorized: boolean) => stub.requests.push({ kind, path, query, authorized, status, at: Date.now() });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    };
    const queued = failures.get(kind);
    if (queued?.length) {
      const status = queued.shift()!;
      record(status, true);
      return send(status, { errors: [{ code: status, title: "stub failure on demand" }] }, status === 429 ? { "retry-after": "1" } : {});
    }
    const limit = Math.max(1, Math.min(1000, Number(query.limit ?? 100)));
    if (kind === "generic_api_key" && path.endsWith("/alerts") && req.method === "GET") {
      const got = String(req.headers[stub.generic.header] ?? "");
      if (got !== stub.generic.value) {
        record(401, false);
        // Quotes what it was sent, as a careless vendor might.
        return send(401, { error: `invalid API key: ${got}` });
      }
      const offset = query.cursor ? Number(query.cursor.replace(/^c/, "")) : 0;
      const page = stub.generic.alerts.slice(offset, offset + limit);
      const next = offset + page.length;
      record(200, true);
      return send(200, { alerts: page, next_cursor: `c${next}`, has_more: next < stub.generic.alerts.length });
    }
    if (kind === "sentinelone" && path === "/web/api/v2.1/threats" && req.method === "GET") {
      const got = String(req.headers.authorization ?? "");
      if (got !== `ApiToken ${stub.sentinelone.token}`) {
        record(401, false);
        return send(401, { errors: [{ code: 4010010, detail: `Authentication failed for ${got}` }] });
      }
      const since = query.createdAt__gte ? Date.parse(query.createdAt__gte) : -Infinity;
      const matching = stub.sentinelone.threats
        .filter((t) => Date.parse(t.threatInfo.createdAt) >= since)
        .sort((a, b) => Date.parse(a.threatInfo.createdAt) - Date.parse(b.threatInfo.createdAt));
      const offset = query.cursor ? Number(query.cursor) : 0;
      const page = matching.slice(offset, offset + limit);
      const next = offset + page.length;
      record(200, true);
      return send(200, { data: page, pagination: { nextCursor: next < matching.length ? String(next) : null, totalItems: matching.length } });
    }
    record(404, false);
    send(404, { error: "no such stub route" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    ...stub,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  } as VendorStub;
}
