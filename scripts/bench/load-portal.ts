// The load benches' portal (scripts/bench/load.ts, scripts/bench/pages.ts): a throwaway embedded
// Postgres with the demo data and the scale seed under the demo MSSP (BENCH_LOAD_TENANTS customers,
// default 1,000; BENCH_LOAD_ALERTS alerts, default 2,000,000), a rival MSSP no session may ever see,
// the PDP, the production build under `next start`, and sessions signed in through the real sign-in:
// a tenant admin on each chosen customer (its own host) and MSSP staff on the console (the first an
// MSSP admin, with TOTP).
//
// The server is `next start` over a production build: BENCH_LOAD_APP_DIR names a checkout that holds
// one (`.next`), default this one (built first when it has none; `next build` shares .next with the
// e2e server, so not during a browser run).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import pg from "pg";
import { mfaKey, sealTotpSecret } from "@/lib/auth/mfa-crypto";
import { hashPassword } from "@/lib/auth/password";
import { base32Decode, totp } from "@/lib/auth/totp";
import { buildTree, customerIds, ensureMssp, seedScale } from "@/lib/demo/scale";
import { DEMO_MSSP_SLUG } from "@/lib/demo/tenants";
import { DEMO_TOTP_SECRET } from "@/lib/demo/users";
import { enableAppLogin } from "../lib/app-role";
import { startCerbos } from "../lib/cerbos";
import { prepareDemoDatabase } from "../lib/demo-database";
import { insertUsageRollups } from "./usage-data";
import { freePort, startEmbeddedPostgres } from "../lib/embedded-postgres";

export const num = (name: string, fallback: number) => {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number (got ${v})`);
  return n;
};

const TENANTS = num("BENCH_LOAD_TENANTS", 1000);
const ALERTS = num("BENCH_LOAD_ALERTS", 2_000_000);
const SESSION_TENANTS = num("BENCH_LOAD_SESSIONS_TENANTS", 100);
const STAFF = num("BENCH_LOAD_STAFF", 5);
const PASSWORD = "Load!bench-2026-password";
const AUTH_SECRET = "bench-load-nextauth-secret-not-used-anywhere-else-0123";
const RIVAL_PREFIX = "rival-";
/** What an MSSP staff session (console, or the MSSP's own host) must never receive: the rival MSSP's tenants. */
export const STAFF_FORBIDDEN = new RegExp(`(${RIVAL_PREFIX}\\d{3}|Rival )`);

export interface Session {
  host: string;
  cookie: string;
  /** Markers this session must never receive. */
  forbidden: RegExp;
  kind: "tenant" | "console";
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(port: number, host: string, method: string, urlPath: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: urlPath, headers: { host, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

function cookiesOf(reply: Reply, jar: Map<string, string>) {
  for (const line of reply.headers["set-cookie"] ?? []) {
    const [pair] = line.split(";");
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1);
    if (value === "" || /max-age=0/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
}

const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

/** The real sign-in over HTTP: csrf, then the credentials callback (with a TOTP code for staff). */
export async function signIn(port: number, host: string, email: string, code?: string): Promise<string> {
  const jar = new Map<string, string>();
  const csrf = await request(port, host, "GET", "/api/auth/csrf", {});
  if (csrf.status !== 200) throw new Error(`csrf on ${host}: HTTP ${csrf.status}`);
  cookiesOf(csrf, jar);
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const form = new URLSearchParams({ csrfToken, email, password: PASSWORD, callbackUrl: `http://${host}/`, json: "true" });
  if (code) form.set("code", code);
  const res = await request(
    port,
    host,
    "POST",
    "/api/auth/callback/credentials",
    { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar), origin: `http://${host}` },
    form.toString(),
  );
  cookiesOf(res, jar);
  if (![...jar.keys()].some((k) => k.endsWith("session-token"))) {
    throw new Error(`sign-in of ${email} on ${host} set no session (HTTP ${res.status}: ${res.body.slice(0, 200)})`);
  }
  return cookieHeader(jar);
}

async function waitForServer(port: number, child: ChildProcess) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode})`);
    try {
      const r = await request(port, "localhost", "GET", "/signin", {});
      if (r.status === 200) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the portal did not answer /signin within 120 s");
}

/** Users for the sessions: a tenant admin per chosen customer, MSSP staff with the demo TOTP secret. */
async function prepareUsers(owner: pg.Client, customers: Array<{ id: string; slug: string }>, msspId: string, staffCount: number) {
  const passwordHash = await hashPassword(PASSWORD);
  await owner.query("begin");
  await owner.query("set local row_security = off");
  await owner.query(
    `insert into public.users (email, name, password_hash)
     select 'load-admin@' || s || '.test', 'Load admin ' || s, $2 from unnest($1::text[]) s
     on conflict (email) do update set password_hash = excluded.password_hash`,
    [customers.map((c) => c.slug), passwordHash],
  );
  await owner.query(
    `insert into public.memberships (tenant_id, user_id, role)
     select t.id, u.id, 'tenant_admin' from public.tenants t join public.users u on u.email = 'load-admin@' || t.slug || '.test'
      where t.slug = any($1::text[])
     on conflict do nothing`,
    [customers.map((c) => c.slug)],
  );
  const staffEmails = Array.from({ length: staffCount }, (_, i) => staffEmail(i));
  const { rows: staff } = await owner.query<{ id: string }>(
    `insert into public.users (email, name, password_hash)
     select e, 'Load staff', $2 from unnest($1::text[]) e
     on conflict (email) do update set password_hash = excluded.password_hash
     returning id`,
    [staffEmails, passwordHash],
  );
  const key = mfaKey(AUTH_SECRET);
  const secret = base32Decode(DEMO_TOTP_SECRET);
  for (const [i, s] of staff.entries()) {
    await owner.query(
      `insert into public.memberships (tenant_id, user_id, role) values ($1, $2, $3) on conflict do nothing`,
      [msspId, s.id, i === 0 ? "mssp_admin" : "mssp_analyst"],
    );
    await owner.query(
      `insert into public.user_mfa (user_id, totp_secret, confirmed_at) values ($1, $2, now())
       on conflict (user_id) do update set totp_secret = excluded.totp_secret, confirmed_at = now(), last_used_step = null`,
      [s.id, sealTotpSecret(s.id, secret, key)],
    );
  }
  await owner.query("commit");
  return staffEmails;
}


/** Every `step`-th of the ids, up to `count`: customers spread over the whole range, not the first ones. */
function spreadOver(ids: string[], count: number): string[] {
  const step = Math.max(1, Math.floor(ids.length / count));
  return ids.filter((_, i) => i % step === 0).slice(0, count);
}

/** The i-th MSSP staff user (0: the MSSP admin; the others MSSP analysts), TOTP with the demo secret. */
export const staffEmail = (i: number) => `load-staff${i + 1}@${DEMO_MSSP_SLUG}.test`;

export interface LoadPortal {
  port: number;
  /** The embedded Postgres as its owner (pg_stat_statements is loaded). */
  ownerUrl: string;
  pdpUrl: string;
  serverPid: number | undefined;
  msspId: string;
  sessions: Session[];
  /** Stops the server, the PDP and Postgres (the data directory is thrown away). */
  stop: () => Promise<void>;
}

export async function startLoadPortal(opts: {
  benchDir: string;
  /** The customers given a tenant admin's session (default BENCH_LOAD_SESSIONS_TENANTS spread over every scale customer). */
  pickCustomers?: (owner: pg.Client, scaleCustomerIds: string[]) => Promise<string[]>;
  /** MSSP staff sessions on the console (default BENCH_LOAD_STAFF). */
  staff?: number;
  /** More flags for the server's node. */
  nodeArgs?: string[];
  /** The server's stderr, line by line (default: this process's stderr). */
  onServerStderr?: (line: string) => void;
}): Promise<LoadPortal> {
  const appDir = path.resolve(process.env.BENCH_LOAD_APP_DIR ?? process.cwd());
  const dataDir = path.join(opts.benchDir, "load-postgres");
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(opts.benchDir, { recursive: true });
  const started = performance.now();
  const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, quiet: true,
    // pg_stat_statements: the request-path profile counts statements per page.
    postgresFlags: ["-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track_planning=on"] });
  const stops: Array<() => Promise<unknown> | void> = [() => db.stop()];
  try {
    process.env.NEXTAUTH_SECRET = AUTH_SECRET;
    await prepareDemoDatabase(db.url, () => {});
    {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query("create extension if not exists pg_stat_statements with schema extensions");
      await c.end();
    }
    const owner = new pg.Client({ connectionString: db.url });
    await owner.connect();
    let customers: Array<{ id: string; slug: string }>;
    let staffEmails: string[];
    let msspId: string;
    try {
      const scale = await seedScale(owner, { tenants: TENANTS, alerts: ALERTS, log: (l) => console.log(`  seed: ${l}`) });
      const rivalId = await ensureMssp(owner, "rival-mssp", "Rival MSSP");
      await buildTree(owner, { msspId: rivalId, slugPrefix: RIVAL_PREFIX, namePrefix: "Rival customer ", digits: 3, customers: 20 });
      // Usage for every customer and site (the scale seed records none), so the /usage and /billing pages sum real rows.
      const { rows: nonRoot } = await owner.query<{ id: string }>("select id from public.tenants where kind <> 'mssp'");
      await insertUsageRollups(owner, nonRoot.map((r) => r.id));
      await owner.query("vacuum analyze");
      msspId = (await owner.query<{ id: string }>("select id from public.tenants where slug = $1", [DEMO_MSSP_SLUG])).rows[0].id;
      const ids = await customerIds(owner, { msspId, slugPrefix: "scale-" });
      // Customers spread over the whole range (not the first hundred), each with its alerts.
      const chosen = opts.pickCustomers ? await opts.pickCustomers(owner, ids) : spreadOver(ids, SESSION_TENANTS);
      customers = (await owner.query<{ id: string; slug: string }>("select id, slug from public.tenants where id = any($1::uuid[])", [chosen])).rows;
      staffEmails = await prepareUsers(owner, customers, msspId, opts.staff ?? STAFF);
      console.log(
        `Load bench data: ${scale.customers} scale customers (+${scale.sites} sites), ${scale.alerts.toLocaleString("en")} alerts, ` +
          `${customers.length} tenant sessions, ${staffEmails.length} console sessions; setup ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
    } finally {
      await owner.end();
    }

    const appUrl = await enableAppLogin(db.url);
    const pdp = await startCerbos();
    stops.push(() => pdp.stop());
    const nextBin = path.join(appDir, "node_modules", ".bin", "next");
    const env = {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: appUrl,
      CERBOS_URL: pdp.url,
      NEXTAUTH_SECRET: AUTH_SECRET,
      AUTH_TRUST_HOST: "1",
      PORTAL_DOMAIN: "localhost",
      NEXT_TELEMETRY_DISABLED: "1",
      // Every session signs in from 127.0.0.1.
      SIGNIN_LIMIT_PER_MINUTE: "100000",
      // The baseline page (app/bench-baseline, lib/alerts/baseline.ts): the tenant alert page's components over
      // the same data read as the owner with an explicit tenant filter, no session, PDP or RLS. 404 without this.
      BENCH_BASELINE_PAGES: "1",
      LOG_LEVEL: "warn",
    } as NodeJS.ProcessEnv;
    if (!existsSync(path.join(appDir, ".next", "BUILD_ID"))) {
      console.log(`No production build in ${appDir}/.next: building (next build)…`);
      const build = spawn(nextBin, ["build"], { cwd: appDir, stdio: "inherit", env });
      const code = await new Promise<number>((r) => build.on("exit", (c) => r(c ?? 1)));
      if (code !== 0) throw new Error(`next build failed (${code})`);
    }
    const port = await freePort();
    // BENCH_LOAD_NODE_ARGS: flags for the server's node (and the caller's, e.g. --cpu-prof).
    const nodeArgs = [...(process.env.BENCH_LOAD_NODE_ARGS ?? "").split(" ").filter(Boolean), ...(opts.nodeArgs ?? [])];
    const server = spawn(process.execPath, [...nodeArgs, path.join(appDir, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port)], {
      cwd: appDir,
      stdio: ["ignore", "ignore", opts.onServerStderr ? "pipe" : "inherit"],
      env,
    });
    if (opts.onServerStderr) {
      const onLine = opts.onServerStderr;
      let rest = "";
      server.stderr?.on("data", (chunk: Buffer) => {
        const lines = (rest + chunk.toString("utf8")).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) onLine(line);
      });
    }
    stops.unshift(async () => {
      if (server.exitCode === null) {
        server.kill("SIGTERM");
        await new Promise((r) => server.on("exit", r));
      }
    });
    await waitForServer(port, server);

    const hostOf = (slug: string) => `${slug}.localhost:${port}`;
    const sessions: Session[] = [];
    const signInStarted = performance.now();
    for (const c of customers) {
      // Any other scale customer's slug or number in its name; the rival's too.
      const own = c.slug.slice("scale-".length);
      sessions.push({
        host: hostOf(c.slug),
        cookie: await signIn(port, hostOf(c.slug), `load-admin@${c.slug}.test`),
        forbidden: new RegExp(`(scale-(?!${own})\\d{5}|Scale customer (?!${own})\\d{5}|${RIVAL_PREFIX}\\d{3}|Rival )`),
        kind: "tenant",
      });
    }
    const secret = base32Decode(DEMO_TOTP_SECRET);
    for (const email of staffEmails) {
      sessions.push({
        host: `localhost:${port}`,
        cookie: await signIn(port, `localhost:${port}`, email, totp(secret)),
        forbidden: STAFF_FORBIDDEN,
        kind: "console",
      });
    }
    console.log(`Signed in ${sessions.length} sessions in ${((performance.now() - signInStarted) / 1000).toFixed(1)} s`);

    return {
      port,
      ownerUrl: db.url,
      pdpUrl: pdp.url,
      serverPid: server.pid,
      msspId,
      sessions,
      stop: async () => {
        for (const stop of stops) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops) await stop();
    throw error;
  }
}
