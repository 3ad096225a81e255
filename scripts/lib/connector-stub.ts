// A stand-in for the vendors' APIs, for the e2e server and local demos only:
// the portal sends connection tests here when CONNECTOR_TEST_ENDPOINT points
// at it (lib/credentials/verify.ts), as `/<connector>/<real path>`.
//
// It accepts every credential except one whose request contains "wrong"
// (any case) or an all-zero GUID, which it refuses with 401, quoting the
// request back in the error body the way careless APIs do, so the tests can
// see the portal's message stays clean. It never stores or logs anything.
import http from "node:http";
import type { AddressInfo } from "node:net";

const OK_STATUS: Record<string, number> = { crowdstrike_falcon: 201 };
const BAD = /wrong|00000000-0000-0000-0000-000000000000/i;

export interface ConnectorStub {
  url: string;
  stop(): Promise<void>;
}

export async function startConnectorStub(): Promise<ConnectorStub> {
  const server = http.createServer((req, res) => {
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
