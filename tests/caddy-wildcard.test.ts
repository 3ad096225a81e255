// deploy/caddy/Caddyfile.wildcard, read by the real caddy (Debian's, as in
// tests/domains-tls.test.ts): the portal's own hosts on one wildcard site
// block (DNS-01) and on-demand TLS for custom domains only.
//   - As shipped it does not start: its DNS provider is a placeholder that
//     names no module, and that is the only thing caddy refuses.
//   - With the placeholder filled in (here the plain ACME issuer stands for a
//     provider module, none of which Debian's caddy has), it adapts and
//     validates: {$PORTAL_DOMAIN} and *.{$PORTAL_DOMAIN} in a policy of their
//     own, without on-demand; everything else on demand, behind the ask URL
//     and its rate limit; both blocks proxy to the portal.
//   - Its global options are deploy/caddy/Caddyfile's, word for word (the
//     body-read timeout included: every server reads a request within 60 s).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { CADDY_BIN } from "./helpers/caddy";

const run = promisify(execFile);
const FILE = "deploy/caddy/Caddyfile.wildcard";
const PLACEHOLDER = "dns REPLACE_WITH_YOUR_DNS_PROVIDER";
const ENV = { NODE_ENV: "test" as const, PATH: process.env.PATH ?? "/usr/bin:/bin", PORTAL_DOMAIN: "mssp.example", PORTAL_TLS_ASK_SECRET: "caddy-wildcard-test-secret-0123456789", CADDY_ADMIN: "off" };

async function caddy(args: string[], text: string): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "mssp-caddy-wildcard-"));
  try {
    await writeFile(path.join(dir, "Caddyfile"), text);
    const r = await run(CADDY_BIN!, [...args, "--config", path.join(dir, "Caddyfile"), "--adapter", "caddyfile"], { env: { ...ENV, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir } });
    return { ok: true, ...r };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const globalOptions = (text: string) => /^\{\n[\s\S]*?^\}\n/m.exec(text)?.[0];

describe("deploy/caddy/Caddyfile.wildcard", { skip: CADDY_BIN ? false : "caddy is not installed here (apt-get install caddy; .ci/run installs it)" }, () => {
  test("as shipped, caddy refuses it for its DNS provider placeholder, and nothing else", async () => {
    const shipped = await readFile(FILE, "utf8");
    assert.equal(shipped.split(PLACEHOLDER).length, 2, "one placeholder line");
    const r = await caddy(["adapt"], shipped);
    assert.equal(r.ok, false);
    assert.match(r.stderr, /module not registered: dns\.providers\.REPLACE_WITH_YOUR_DNS_PROVIDER/);
  });

  test("filled in: one policy for the portal's hosts without on-demand, custom domains on demand behind the ask", async () => {
    const filled = (await readFile(FILE, "utf8")).replace(PLACEHOLDER, "issuer acme");
    const adapted = await caddy(["adapt"], filled);
    assert.ok(adapted.ok, adapted.stderr);
    const config = JSON.parse(adapted.stdout) as {
      apps: {
        tls: { automation: { policies: { subjects?: string[]; on_demand?: boolean }[]; on_demand: { ask: string; rate_limit: { interval: number; burst: number } } } };
        http: { servers: Record<string, { routes: { match?: { host: string[] }[] }[]; read_timeout?: number; read_header_timeout?: number }> };
      };
    };
    const { policies, on_demand } = config.apps.tls.automation;
    assert.deepEqual(
      policies.map((p) => ({ subjects: p.subjects?.slice().sort() ?? null, onDemand: p.on_demand ?? false })),
      [
        { subjects: ["*.mssp.example", "mssp.example"], onDemand: false },
        { subjects: null, onDemand: true },
      ],
    );
    assert.equal(on_demand.ask, `http://127.0.0.1:3000/api/tls/ask?secret=${ENV.PORTAL_TLS_ASK_SECRET}`);
    assert.deepEqual(on_demand.rate_limit, { interval: 120_000_000_000, burst: 5 });
    const routes = Object.values(config.apps.http.servers).flatMap((s) => s.routes);
    assert.deepEqual(
      routes.map((r) => r.match?.[0]?.host.slice().sort() ?? null),
      [["*.mssp.example", "mssp.example"], null],
    );
    assert.equal((adapted.stdout.match(/"X-Forwarded-Proto":\["https"\]/g) ?? []).length, 2, "both blocks tell the portal the browser's connection is TLS");
    // A slow client holds a connection (and, for a page or action, Next's copy of its body) at most this long: a body must arrive within 60 s, headers within 10 s.
    assert.deepEqual(
      Object.values(config.apps.http.servers).map((s) => [s.read_timeout, s.read_header_timeout]),
      Object.values(config.apps.http.servers).map(() => [60_000_000_000, 10_000_000_000]),
    );
    const validated = await caddy(["validate"], filled);
    assert.ok(validated.ok, validated.stderr);
  });

  test("its global options are the on-demand Caddyfile's", async () => {
    const [wildcard, onDemand] = await Promise.all([readFile(FILE, "utf8"), readFile("deploy/caddy/Caddyfile", "utf8")]);
    assert.ok(globalOptions(onDemand));
    assert.equal(globalOptions(wildcard), globalOptions(onDemand));
  });
});
