// The attack matrix (issue 9, "Validation to add"), over HTTP against the
// production build: every page and route handler under app/ (read from the
// filesystem, so a new one fails here until e2e/lib/matrix-table.ts lists it)
// × every identity: signed out, each role, a site's admin and another
// customer's admin, a forged, a tampered and an expired session cookie; on
// the console host and on a tenant's host, with dynamic segments filled with
// ids of the caller's own tenants and of others (another MSSP's included).
// Each cell asserts the status and that the body carries no data planted in a
// tenant the caller may not see. Then: a foreign Host (404 everywhere), a
// foreign X-Forwarded-Host (no effect on any answer or redirect), tenant pages
// on another MSSP's customer host, and every server action posted cross-site.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { PORT } from "./helpers";
import { plantMarkers, foreignMarkers, type MarkerTenant, type Planted } from "./lib/markers";
import { ACME_MEMBERS, INTERNAL_PATHS, TABLE, visibleTo, type Cell, type Ctx, type HostName, type Outcome, type Who } from "./lib/matrix-table";
import { inBatches, raw, type RawResponse } from "./lib/raw-http";
import { appRoutes } from "./lib/routes";
import { expired, forged, signInOverHttp, tampered, type HttpSession } from "./lib/sessions";

const HOSTS: Record<HostName, string> = { console: `localhost:${PORT}`, acme: `acme.localhost:${PORT}` };
const origin = (h: HostName) => `http://${HOSTS[h]}`;

// Who is probed. A session works only on the host it was opened on (sessions.user_sessions.host,
// tests/auth-host-binding.test.ts): a cookie replayed on another host is a signed-out request there.
// So each account signs in on every host it is probed on (the console, acme's host, and for the staff
// and acme's admin the rival MSSP's customer host), and each probe sends that host's cookie.
const ACCOUNTS: Array<{ who: Who; email: string }> = [
  { who: "mssp_admin", email: "mssp.admin@demo.test" },
  { who: "mssp_analyst", email: "mssp.analyst@demo.test" },
  { who: "acme_admin", email: "acme.admin@demo.test" },
  { who: "acme_analyst", email: "acme.analyst@demo.test" },
  { who: "acme_viewer", email: "acme.viewer@demo.test" },
  { who: "site_admin", email: "site.admin@demo.test" },
  { who: "globex_admin", email: "globex.admin@demo.test" },
];
/** The rival MSSP's customer host, once the markers are planted. */
const rivalHostOf = () => `${planted.rivalCustomer.slug}.localhost:${PORT}`;
/** The cookie key of a session: who, on which host. */
const at = (who: Who, host: HostName | "rival") => `${who}@${host}`;

/** What the response was, in the table's terms. */
function outcome(res: RawResponse): string {
  if (res.status >= 300 && res.status < 400) {
    const loc = new URL(String(res.headers.location ?? ""), "http://x");
    return loc.pathname === "/signin" ? "signin" : `to:${loc.pathname}${loc.search}`;
  }
  return String(res.status);
}

const matches = (got: string, expected: Outcome[]) => expected.some((e) => e === got || (e.startsWith("to:") && got.startsWith(e)));

/** Markers the body may carry: those of tenants the caller sees, within what the host shows. */
function allowedMarkers(who: Who, host: HostName | "rival"): Set<MarkerTenant> {
  const scope: Set<MarkerTenant> = host === "console" ? new Set(["acme", "globex", "rival"]) : new Set([host === "rival" ? "rival" : "acme"]);
  return new Set([...visibleTo(who)].filter((t) => scope.has(t)));
}

let planted: Planted;
/** Cookies by at(who, host); forged, tampered and expired by who alone (refused on every host). */
const cookies = new Map<string, string>();
const sessions = new Map<string, HttpSession>();
const cookieOf = (who: Who, host: HostName | "rival") => cookies.get(at(who, host)) ?? cookies.get(who);


test.beforeAll(async () => {
  // Staff sign in with a TOTP code, one step of 30 s per sign-in of the same person: up to three each.
  test.setTimeout(300_000);
  planted = await plantMarkers();
  const hostsOf = (who: Who): Array<HostName | "rival"> => (who === "mssp_admin" || who === "acme_admin" ? ["console", "acme", "rival"] : ["console", "acme"]);
  const hostAddress = (h: HostName | "rival") => (h === "rival" ? rivalHostOf() : HOSTS[h]);
  // One account's sign-ins in turn (its TOTP steps), the accounts side by side.
  await Promise.all(
    ACCOUNTS.map(async (a) => {
      for (const h of hostsOf(a.who)) {
        const s = await signInOverHttp(hostAddress(h), a.email);
        sessions.set(at(a.who, h), s);
        cookies.set(at(a.who, h), s.cookie);
      }
    }),
  );
  const acme = sessions.get(at("acme_admin", "acme"))!;
  cookies.set("forged", forged(acme));
  cookies.set("tampered", tampered(acme));
  const exp = await expired(acme);
  expect(exp, "the session cookie is a next-auth JWT the e2e secret opens (else the expired cell needs a new recipe)").not.toBeNull();
  cookies.set("expired", exp!);
});

test.afterAll(async () => {
  await planted?.cleanup();
});

const WHO: Who[] = ["anon", "mssp_admin", "mssp_analyst", "acme_admin", "acme_analyst", "acme_viewer", "site_admin", "globex_admin", "forged", "tampered", "expired"];

interface Probe {
  label: string;
  who: Who;
  hostName: HostName | "rival";
  host: string;
  cell: Cell;
  extraHeaders?: Record<string, string>;
}

async function run(p: Probe): Promise<string[]> {
  const cookie = cookieOf(p.who, p.hostName);
  const res = await raw({
    method: p.cell.method,
    host: p.host,
    path: p.cell.path,
    headers: { ...(cookie ? { cookie } : {}), ...p.cell.headers, ...p.extraHeaders },
    body: p.cell.body,
  });
  const problems: string[] = [];
  const got = outcome(res);
  if (!matches(got, p.cell.expect)) problems.push(`${p.label}: expected ${p.cell.expect.join(" or ")}, got ${got}`);
  const leaked = foreignMarkers(res.body, planted, allowedMarkers(p.who, p.hostName));
  if (leaked.length) problems.push(`${p.label}: body carries another tenant's data (${leaked.join(", ")})`);
  const extra = p.cell.bodyCheck?.(res.body, res.headers["set-cookie"] ?? []);
  if (extra) problems.push(`${p.label}: ${extra}`);
  for (const h of ["location", "content-security-policy", "set-cookie"]) {
    if (String(res.headers[h] ?? "").includes("evil.example")) problems.push(`${p.label}: ${h} names the foreign host`);
  }
  return problems;
}

function ctx(): Ctx {
  return { planted, origin };
}

test("every route under app/ has an entry in the matrix's table (and every entry a route)", () => {
  const routes = appRoutes().map((r) => r.key);
  expect(routes.length).toBeGreaterThan(20);
  expect(routes.filter((k) => !(k in TABLE)), "routes the attack matrix does not cover: add them to e2e/lib/matrix-table.ts").toEqual([]);
  expect(Object.keys(TABLE).filter((k) => !routes.includes(k)), "table entries without a route").toEqual([]);
});

test("every route × identity × host answers as the table says, with no other tenant's data", async () => {
  test.setTimeout(240_000);
  const probes: Probe[] = [];
  for (const [key, entry] of Object.entries(TABLE)) {
    for (const hostName of entry.hosts) {
      for (const who of WHO) {
        for (const cell of entry.cells(who, hostName, ctx())) {
          probes.push({ label: `${key} | ${who}@${hostName} ${cell.method} ${cell.path}`, who, hostName, host: HOSTS[hostName], cell });
        }
      }
    }
  }
  // Internal paths (another area's route, addressed directly): 404 for everyone, signed in or not.
  for (const hostName of ["console", "acme"] as HostName[]) {
    for (const p of INTERNAL_PATHS[hostName]) {
      for (const who of ["anon", "mssp_admin", "acme_admin"] as Who[]) {
        probes.push({ label: `internal ${p} | ${who}@${hostName}`, who, hostName, host: HOSTS[hostName], cell: { method: "GET", path: p, expect: ["404"] } });
      }
    }
  }
  const problems = (await inBatches(probes, 6, run)).flat();
  console.log(`attack matrix: ${probes.length} requests`);
  expect(problems).toEqual([]);
});

test("positive controls: the marker search finds planted data where it belongs", async () => {
  const acme = await raw({ host: HOSTS.acme, path: "/alerts", headers: { cookie: cookieOf("acme_admin", "acme")! } });
  expect(acme.status).toBe(200);
  expect(acme.body).toContain(planted.byTenant.acme[0]);
  const console_ = await raw({ host: HOSTS.console, path: "/alerts", headers: { cookie: cookieOf("mssp_admin", "console")! } });
  expect(console_.body).toContain(planted.byTenant.globex[0]);
  // The same search over that page for acme's analyst would flag globex's alert.
  expect(foreignMarkers(console_.body, planted, allowedMarkers("acme_analyst", "console"))).toContain(planted.byTenant.globex[0]);
});

test("a foreign Host is the 404 page for every path and every session; a foreign X-Forwarded-Host changes nothing", async () => {
  test.setTimeout(120_000);
  // Except Caddy's on-demand TLS check (/api/tls/ask): the TLS terminator asks it by an internal
  // name, so it answers on any Host, and only whether a domain may get a certificate
  // (tests/domains-verify.test.ts and domains-tls.test.ts prove its answers).
  const paths = [...new Set(Object.values(TABLE).flatMap((e) => e.cells("mssp_admin", e.hosts[0], ctx()).map((c) => c.path)))].filter((p) => !p.startsWith("/api/tls/"));
  const probes: Probe[] = [];
  for (const p of paths) {
    for (const who of ["anon", "mssp_admin"] as Who[]) {
      for (const foreign of [`evil.example:${PORT}`, `acme.localhost.evil.example:${PORT}`]) {
        probes.push({ label: `Host ${foreign} ${p} | ${who}`, who, hostName: "console", host: foreign, cell: { method: "GET", path: p, expect: ["404"] } });
      }
    }
  }
  // X-Forwarded-Host: each cell of the main table again, for the signed-out and the strongest session,
  // answering exactly as without it (and no redirect or header naming the foreign host: run() checks).
  for (const [key, entry] of Object.entries(TABLE)) {
    for (const hostName of entry.hosts) {
      for (const who of ["anon", "mssp_admin", "acme_admin"] as Who[]) {
        for (const cell of entry.cells(who, hostName, ctx())) {
          if (cell.method !== "GET") continue;
          probes.push({
            label: `${key} | ${who}@${hostName} X-Forwarded-Host evil.example ${cell.path}`,
            who,
            hostName,
            host: HOSTS[hostName],
            cell,
            extraHeaders: { "x-forwarded-host": "evil.example" },
          });
        }
      }
    }
  }
  const problems = (await inBatches(probes, 6, run)).flat();
  expect(problems).toEqual([]);
});

test("another MSSP's customer host: 403 for this MSSP's staff and for a customer admin, signed-out visitors sign in", async () => {
  const rivalHost = rivalHostOf();
  const probes: Probe[] = [];
  for (const key of Object.keys(TABLE).filter((k) => k.startsWith("tenant ") && k !== "tenant / page")) {
    const p = key.split(" ")[1];
    for (const who of ["mssp_admin", "acme_admin", "anon", "expired"] as Who[]) {
      // A route handler answers a signed-out caller 401 (no redirect); a page sends them to sign in.
      const signedOutOutcome: Outcome = key.endsWith(" route") ? "401" : "signin";
      const expectOutcome: Outcome = who === "anon" || who === "expired" ? signedOutOutcome : "403";
      probes.push({ label: `${key} | ${who}@rival`, who, hostName: "rival", host: rivalHost, cell: { method: "GET", path: p, expect: [expectOutcome] } });
    }
  }
  const problems = (await inBatches(probes, 6, run)).flat();
  // And nobody in the demo sees the rival's data anywhere (allowedMarkers("…", "rival") is empty for them).
  expect(ACME_MEMBERS.every((w) => !visibleTo(w).has("rival"))).toBe(true);
  expect(problems).toEqual([]);
});

test("server actions posted cross-site are refused before they run, for every action in the build", async () => {
  const manifest = JSON.parse(readFileSync(path.join(process.cwd(), ".next", "server", "server-reference-manifest.json"), "utf8"));
  const actions = Object.entries(manifest.node as Record<string, { workers: Record<string, unknown>; filename: string; exportedName: string }>);
  expect(actions.length).toBeGreaterThan(10);
  const probes: Probe[] = [];
  for (const [id, a] of actions) {
    for (const worker of Object.keys(a.workers)) {
      const m = /^app\/(console|t\/\[tenant\])?\/?(.*?)\/?page$/.exec(worker);
      if (!m) continue;
      const hostName: HostName = m[1] === "console" ? "console" : "acme";
      const p = `/${m[2]}`.replace(/\[slug\]/, "acme").replace(/\/$/, "") || "/";
      const who: Who = hostName === "console" ? "mssp_admin" : "acme_admin";
      probes.push({
        label: `action ${a.filename}#${a.exportedName} at ${hostName}${p} from evil.example`,
        who,
        hostName,
        host: HOSTS[hostName],
        // The proxy refuses a foreign Origin on any state-changing request (lib/http/request-guard.ts),
        // before Next.js (which would also refuse, with a 500) decodes the arguments.
        cell: {
          method: "POST",
          path: p,
          headers: { "next-action": id, origin: "http://evil.example", "content-type": "text/plain;charset=UTF-8", accept: "text/x-component" },
          body: "[]",
          expect: ["403"],
          bodyCheck: (b) => (b.includes("Requests from another site are refused") ? null : `unexpected body: ${b.slice(0, 160)}`),
        },
      });
    }
  }
  expect(probes.length).toBeGreaterThan(10);
  const problems = (await inBatches(probes, 6, run)).flat();
  expect(problems).toEqual([]);
});
