// On-demand TLS with Debian's caddy (deploy/caddy/Caddyfile) and its internal
// CA: caddy asks the portal's real ask endpoint (app/api/tls/ask, served here
// by a small HTTP server around the route handler, on a real Postgres, with
// the TLS_ASK_SECRET the Caddyfile adds to the ask URL) and issues a
// certificate for a verified custom domain, and none for a pending one, a
// name the portal does not serve or a domain of a tenant being offboarded.
// The shipped Caddyfile is used as is, with two test-only global options
// (local_certs: the internal CA instead of an ACME CA; skip_install_trust:
// leave the system's trust store alone).
import assert from "node:assert/strict";
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import { after, before, describe, test } from "node:test";
import { inRequest } from "./helpers/actions";
import { CADDY_BIN, startCaddy, type RunningCaddy } from "./helpers/caddy";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let caddy: RunningCaddy | null = null;
let askServer: http.Server;
let upstream: http.Server;
let httpsPort = 0;
const caddyLog = () => caddy?.log() ?? "";

const listen = (s: http.Server) => new Promise<number>((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as net.AddressInfo).port)));

before(async () => {
  if (!CADDY_BIN) return;
  // The secret the portal answers to; startCaddy passes it to the Caddyfile's ask URL.
  process.env.TLS_ASK_SECRET = "caddy-test-tls-ask-secret-0123456789";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  await withClient(db.url, (c) =>
    c.query(
      `insert into public.custom_domains (tenant_id, domain, skeleton, token, status, verified_at) values
         ($1, 'soc.acme.test', 'soc.acme.test', 'tls-test-token-0123456789abcdef', 'verified', now()),
         ($1, 'pending.acme.test', 'pending.acme.test', 'tls-test-token-abcdef0123456789', 'pending', null),
         ($2, 'soc.globex.test', 'soc.globex.test', 'tls-test-token-globex0123456789', 'verified', now())`,
      [fx.tenants.acme, fx.tenants.globex],
    ),
  );
  const { GET } = await import("@/app/api/tls/ask/route");
  askServer = http.createServer((req, res) => {
    void inRequest({ host: req.headers.host ?? "127.0.0.1" }, () => GET(new Request(`http://${req.headers.host}${req.url}`))).then(
      async (r) => res.writeHead(r.status).end(await r.text()),
      () => res.writeHead(500).end(),
    );
  });
  upstream = http.createServer((req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(`portal answered for ${req.headers.host} (${req.headers["x-forwarded-proto"]})`));
  const [askPort, upPort] = [await listen(askServer), await listen(upstream)];
  caddy = await startCaddy({ ask: `http://127.0.0.1:${askPort}/api/tls/ask`, upstream: `127.0.0.1:${upPort}` });
  httpsPort = caddy.httpsPort;
});
after(async () => {
  await caddy?.stop();
  askServer?.close();
  upstream?.close();
  await db?.drop();
});

function get(servername: string, ca?: string): Promise<{ status: number; body: string; issuer: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: "127.0.0.1", port: httpsPort, servername, path: "/", headers: { host: servername }, ...(ca ? { ca } : { rejectUnauthorized: false }), timeout: 15_000 },
      (res) => {
        const issuer = String((res.socket as import("node:tls").TLSSocket).getPeerCertificate().issuer?.CN ?? "");
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode!, body, issuer }));
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
  });
}

describe("on-demand TLS through caddy", { skip: CADDY_BIN ? false : "caddy is not installed here (apt-get install caddy; .ci/run installs it)" }, () => {
  test("a verified custom domain gets a certificate from caddy's CA and reaches the portal", async () => {
    const r = await get("soc.acme.test");
    assert.equal(r.status, 200, caddyLog().slice(-2000));
    assert.equal(r.body, "portal answered for soc.acme.test (https)");
    assert.match(r.issuer, /Caddy Local Authority/);
    // The chain verifies against caddy's own root.
    const root = await caddy!.rootCertificate();
    assert.equal((await get("soc.acme.test", root)).status, 200);
  });

  test("a pending domain, a name the portal does not serve and an offboarding tenant's domain get no certificate", async () => {
    await withClient(db.url, (c) => c.query("update public.tenants set status = 'deprovisioning', deprovision_after = now() + interval '30 days' where id = $1", [fx.tenants.globex]));
    for (const name of ["pending.acme.test", "evil.test", "no-such-tenant.localhost", "soc.globex.test"]) {
      await assert.rejects(get(name), /alert|EPROTO|handshake|ECONNRESET|socket hang up/i, name);
    }
  });
});
