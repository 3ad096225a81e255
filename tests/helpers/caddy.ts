// Debian's caddy in front of a portal (the e2e server in
// e2e/custom-domain.spec.ts; the ask route in a small server in
// tests/domains-tls.test.ts), with the shipped deploy/caddy/Caddyfile
// (on-demand TLS asking the portal's /api/tls/ask) plus two test-only global
// options: local_certs (caddy's internal CA instead of an ACME CA) and
// skip_install_trust (the system's trust store is left alone). Its ports are
// free ephemeral ones, its admin endpoint is off, and everything it stores
// (the CA, the certificates) lives in a temporary folder removed on stop.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";

export const CADDY_BIN = ["/usr/bin/caddy", "/usr/local/bin/caddy"].find((p) => existsSync(p)) ?? null;

export interface RunningCaddy {
  httpsPort: number;
  /** What caddy wrote to stdout and stderr so far (for failure messages). */
  log(): string;
  /** The internal CA's root certificate (PEM). */
  rootCertificate(): Promise<string>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts caddy asking `ask` (the URL of /api/tls/ask, no query) with `askSecret`
 * (the portal's TLS_ASK_SECRET; default: this process's) before it issues a
 * certificate and proxying to `upstream` (host:port); resolves once its HTTPS
 * port accepts connections.
 */
export async function startCaddy({ ask, upstream, askSecret = process.env.TLS_ASK_SECRET ?? "" }: { ask: string; upstream: string; askSecret?: string }): Promise<RunningCaddy> {
  if (!CADDY_BIN) throw new Error("caddy is not installed (apt-get install caddy; .ci/run installs it)");
  const dir = await mkdtemp(path.join(tmpdir(), "mssp-caddy-"));
  const shipped = await readFile("deploy/caddy/Caddyfile", "utf8");
  const conf = shipped.replace(/^\{\n/m, "{\n\tlocal_certs\n\tskip_install_trust\n");
  if (conf === shipped) throw new Error("the Caddyfile's global options block was not found");
  await writeFile(path.join(dir, "Caddyfile"), conf);
  const httpsPort = await freePort();
  const httpPort = await freePort();
  let output = "";
  const proc: ChildProcess = spawn(CADDY_BIN, ["run", "--config", path.join(dir, "Caddyfile"), "--adapter", "caddyfile"], {
    env: {
      NODE_ENV: "test",
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      XDG_DATA_HOME: dir,
      XDG_CONFIG_HOME: dir,
      CADDY_ADMIN: "off",
      CADDY_HTTP_PORT: String(httpPort),
      CADDY_HTTPS_PORT: String(httpsPort),
      PORTAL_TLS_ASK: ask,
      PORTAL_TLS_ASK_SECRET: askSecret,
      PORTAL_UPSTREAM: upstream,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (output += d.toString()));

  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      await new Promise<void>((resolve) => {
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      });
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(httpsPort, "127.0.0.1", () => s.end(() => resolve(true)));
      s.on("error", () => resolve(false));
    });
    if (up) break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`caddy did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    httpsPort,
    log: () => output,
    rootCertificate: () => readFile(path.join(dir, "caddy", "pki", "authorities", "local", "root.crt"), "utf8"),
    stop,
  };
}

/**
 * A TLS handshake with caddy for `servername` (SNI): the certificate's
 * subject and issuer when caddy presented one, or the error when it refused.
 */
export function tlsHandshake(port: number, servername: string, ca?: string): Promise<{ ok: true; subject: string; issuer: string; altNames: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: "127.0.0.1", port, servername, ...(ca ? { ca } : { rejectUnauthorized: false }), timeout: 15_000 }, () => {
      const cert = socket.getPeerCertificate();
      resolve({ ok: true, subject: String(cert.subject?.CN ?? ""), issuer: String(cert.issuer?.CN ?? ""), altNames: cert.subjectaltname ?? "" });
      socket.end();
    });
    socket.on("error", (e) => resolve({ ok: false, error: e.message }));
    socket.on("timeout", () => {
      socket.destroy();
      resolve({ ok: false, error: "timeout" });
    });
  });
}
