// A stand-in for the vendors' APIs, for the e2e server and local demos only:
// the portal sends connection tests here when CONNECTOR_TEST_ENDPOINT points
// at it (lib/credentials/verify.ts), as `/<connector>/<real path>`.
//
// It accepts every credential except one whose request contains "wrong"
// (any case) or an all-zero GUID, which it refuses with 401, quoting the
// request back in the error body the way careless APIs do, so the tests can
// see the portal's message stays clean. It stores nothing of connection tests.
//
// Webhook notifications (lib/notify/deliver.ts sends them to
// `<stub>/webhook<path of the channel's URL>`) are answered 200 and, when
// `webhookLog` is given, appended to it one JSON line each: path, the
// x-portal-* headers and the raw body, so an e2e spec can check the HMAC
// signature (e2e/webhooks.ts). A webhook body holds an alert summary, no secret.
import { appendFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";

const OK_STATUS: Record<string, number> = { crowdstrike_falcon: 201 };
const BAD = /wrong|00000000-0000-0000-0000-000000000000/i;

export interface ConnectorStub {
  url: string;
  stop(): Promise<void>;
}

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  receivedAt: string;
}

function recordWebhook(req: http.IncomingMessage, res: http.ServerResponse, log: string | undefined) {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith("x-portal-") || k === "content-type").map(([k, v]) => [k, String(v)]));
    const entry: ReceivedWebhook = { path: (req.url ?? "/").slice("/webhook".length) || "/", headers, body: Buffer.concat(chunks).toString("utf8"), receivedAt: new Date().toISOString() };
    if (log) appendFileSync(log, `${JSON.stringify(entry)}\n`);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true }));
  });
}

export async function startConnectorStub(opts: { webhookLog?: string } = {}): Promise<ConnectorStub> {
  const server = http.createServer((req, res) => {
    if (req.method === "POST" && (req.url ?? "").startsWith("/webhook/")) return recordWebhook(req, res, opts.webhookLog);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.length < 64 && chunks.push(c));
    req.on("end", () => {
      const connector = (req.url ?? "/").split("/")[1] ?? "";
      const body = Buffer.concat(chunks).toString("utf8");
      const headerValues = Object.entries(req.headers)
        .filter(([k]) => k !== "host")
        .map(([, v]) => String(v))
        .join("\n");
      const refused = BAD.test(body) || BAD.test(headerValues);
      res.writeHead(refused ? 401 : (OK_STATUS[connector] ?? 200), { "content-type": "application/json" });
      res.end(JSON.stringify(refused ? { error: "invalid_client", message: `refused: ${body || headerValues}` } : { ok: true, stub: connector }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
