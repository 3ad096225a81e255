// `npm run bench -- --only=load` (issue 13 point 7): the production build of
// the portal under load, with real sessions, through the whole request path
// (proxy, next-auth session and its database record, claims, PDP, RLS, render).
//
//   data      the demo data, the scale seed under the demo MSSP (BENCH_LOAD_TENANTS
//             customers, default 1,000; BENCH_LOAD_ALERTS alerts, default 2,000,000)
//             and a rival MSSP with a few customers that no session may ever see
//   sessions  one tenant admin on each of BENCH_LOAD_SESSIONS_TENANTS customers
//             (default 100) signed in on its own host (`<slug>.localhost`), and
//             BENCH_LOAD_STAFF MSSP staff (default 5) on the console, each through
//             the real sign-in (password, and TOTP for staff)
//   phases    1. /signin on tenant hosts, signed out (the baseline page)
//             2. the signed-in mix: tenant /alerts and / , console /alerts and /
//                (BENCH_LOAD_CONNECTIONS concurrent connections, default 50, for
//                BENCH_LOAD_SECONDS, default 60), requests rotating over every session
//             3. the signed-in tenant alert page alone, same connections
//             4. the same alert page without auth and RLS (app/bench-baseline: owner, explicit
//                tenant filter, no session or PDP; served only with BENCH_BASELINE_PAGES=1)
//             5. the render floor: that page's content over data loaded once and kept in the
//                server (app/bench-baseline/[tenant]/alerts-render): no DB, session, PDP, RLS or shell
//   ratio     then the goal's ratio again in alternating slices (/signin, /alerts, /signin, ...:
//             BENCH_LOAD_RATIO_ROUNDS rounds of BENCH_LOAD_RATIO_SLICE seconds a page, by default 8 of
//             3 s up to 15 connections and 4 of 10 s at 50), so the machine's drift hits both pages
//             alike; printed with its rounds' range
//   pairs     BENCH_LOAD_PAIRS="/a|/b;...": two signed-in pages alternated the same way, b against a
//   extra     BENCH_LOAD_EXTRA_PHASES=/tenants,/account/mfa: more signed-in tenant pages under the same
//             load, each printed against /signin (where the floor of a signed-in page lies; {slug}: the
//             session's tenant, e.g. /bench-baseline/{slug}/alerts)
//   paths     BENCH_LOAD_PROFILE_PATHS=/a,/b?x=1: server CPU per request of more pages, one at a time
//             ({slug}: the session's tenant, e.g. /bench-baseline/{slug}/alerts; console:/a asks the
//             console as the MSSP admin)
//   profile   BENCH_LOAD_CPU_PROF=<dir>: the server runs under node --cpu-prof (the .cpuprofile is
//             written to <dir> when it stops) and <dir>/phases.json holds each phase's window on the
//             profile's clock; every phase prints the server process's CPU ms per request (/proc)
//   checks    every response: status 200, and no tenant marker the session may
//             not see (another scale customer's slug or name on a tenant host; the
//             rival MSSP's on the console). Printed: requests/s, p50/p99, errors,
//             leaks, and the alert page's throughput against /signin's.
//
// The data, the sessions and the server: scripts/bench/load-portal.ts.
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { snapshotIndexScans, unusedIndexLines } from "./index-usage";
import { num, request, type Session, startLoadPortal } from "./load-portal";

// The tables the load mix's pages read, whose indexes it reports on when no request scanned them.
const LOAD_PAGE_TABLES = ["public.alerts", "public.assets", "public.alert_daily_rollups", "public.alert_open_counts", "public.tenants", "public.memberships"] as const;

const CONNECTIONS = num("BENCH_LOAD_CONNECTIONS", 50);
const SECONDS = num("BENCH_LOAD_SECONDS", 60);
const SHORT_SECONDS = Math.max(5, Math.round(SECONDS / 3));

interface PhaseResult {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non200: number;
  leaks: number;
  /** The server process's CPU time per request in this phase (ms), where /proc can tell. */
  cpuMsPerRequest?: number;
  /** Every postgres process's CPU time per request (ms). */
  postgresCpuMsPerRequest?: number;
  /** The machine's busy CPU time per request over every core (ms). */
  machineCpuMsPerRequest?: number;
}

/**
 * Each phase's start and end in µs of the monotonic clock (what a .cpuprofile's startTime and timeDeltas
 * count), and how many requests it answered (per-request figures from a profile).
 */
const phaseWindows: Array<{ name: string; startUs: number; endUs: number; requests?: number }> = [];
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** A /proc/<pid>/stat line's command name and CPU ticks (utime, stime, and the reaped children's cutime, cstime) in ms. */
function parseStat(stat: string): { comm: string; ownMs: number; childrenMs: number } {
  // Fields after the command's closing parenthesis: utime, stime, cutime, cstime are the 12th to 15th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ms = (i: number) => (Number(fields[i]) * 1000) / 100; // USER_HZ is 100 on Linux
  return { comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), ownMs: ms(11) + ms(12), childrenMs: ms(13) + ms(14) };
}

/** The server process's CPU time so far (user + system, ms; Linux /proc), or null elsewhere. */
function processCpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8")).ownMs;
  } catch {
    return null;
  }
}
let serverPid: number | undefined;

/**
 * Every `postgres` process's CPU time so far (ms; /proc): the database's share of a phase on this
 * machine. A backend that has exited counts through the postmaster's reaped-children time, so the
 * total only grows.
 */
function postgresCpuMs(): number | null {
  try {
    let total = 0;
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      } catch {
        continue; // gone since the listing
      }
      const p = parseStat(stat);
      if (p.comm === "postgres") total += p.ownMs + p.childrenMs;
    }
    return total;
  } catch {
    return null;
  }
}

/** The whole machine's busy CPU time so far (ms, every core; /proc/stat), to see what a phase costs all told. */
function machineCpuMs(): number | null {
  try {
    const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = cpu[3] + (cpu[4] ?? 0);
    return ((cpu.slice(0, 8).reduce((a, b) => a + b, 0) - idle) * 1000) / 100;
  } catch {
    return null;
  }
}

async function phase(name: string, port: number, seconds: number, next: () => { session: Session | null; host: string; path: string }): Promise<PhaseResult> {
  const startUs = monotonicUs();
  // The server's own CPU: what the app spends, whatever else shares the machine. Postgres's, and the
  // whole machine's (server, Postgres, PDP and the load generator): on one machine the database's work
  // per page takes CPU from the server as much as the server's own does.
  const clocks = { server: () => processCpuMs(serverPid), postgres: postgresCpuMs, machine: machineCpuMs };
  const before = { server: clocks.server(), postgres: clocks.postgres(), machine: clocks.machine() };
  let requests: number | undefined;
  try {
    const result = await runPhase(port, seconds, name, next);
    requests = result.requests;
    const perRequest = (clock: keyof typeof clocks) => {
      const [b, a] = [before[clock], clocks[clock]()];
      return b !== null && a !== null && result.requests > 0 ? (a - b) / result.requests : undefined;
    };
    result.cpuMsPerRequest = perRequest("server");
    result.postgresCpuMsPerRequest = perRequest("postgres");
    result.machineCpuMsPerRequest = perRequest("machine");
    return result;
  } finally {
    phaseWindows.push({ name, startUs, endUs: monotonicUs(), requests });
  }
}

/** One autocannon run; `next()` picks each request's session and path; every body is checked. */
async function runPhase(port: number, seconds: number, name: string, next: () => { session: Session | null; host: string; path: string }): Promise<PhaseResult> {
  let leaks = 0;
  let non200 = 0;
  const firstLeaks: string[] = [];
  const firstNon200: string[] = [];
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        setupRequest: (req, ctx) => {
          const context = ctx as Record<string, unknown>;
          const pick = next();
          context.session = pick.session;
          context.path = pick.path;
          return {
            ...req,
            method: "GET",
            path: pick.path,
            headers: { host: pick.host, ...(pick.session?.cookie ? { cookie: pick.session.cookie } : {}) },
          } as autocannon.Request;
        },
        onResponse: (status, body, ctx) => {
          const context = ctx as Record<string, unknown>;
          if (status !== 200) {
            non200++;
            if (firstNon200.length < 3) firstNon200.push(`${String(context.path)} on ${(context.session as Session | null)?.host ?? "signed out"}: HTTP ${status}`);
          }
          const session = context.session as Session | null;
          if (session) {
            const m = body.match(session.forbidden);
            if (m) {
              leaks++;
              if (firstLeaks.length < 3) firstLeaks.push(`${session.host}${String(context.path)}: "${m[0]}"`);
            }
          }
        },
      },
    ],
  });
  if (firstNon200.length) console.log(`  non-200 examples: ${firstNon200.join("; ")}`);
  if (firstLeaks.length) console.log(`  LEAK examples: ${firstLeaks.join("; ")}`);
  return {
    name,
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non200,
    leaks,
  };
}

/** Cerbos's own counts (its Prometheus metrics): check requests served, and resources checked in them. */
async function pdpCounts(pdpUrl: string): Promise<{ requests: number; resources: number }> {
  const text = await (await fetch(`${pdpUrl}/_cerbos/metrics`)).text();
  const value = (name: string) => Number(text.split("\n").find((l) => l.startsWith(`${name} `))?.split(" ").pop() ?? 0);
  return { requests: value("cerbos_dev_engine_check_batch_size_count"), resources: value("cerbos_dev_engine_check_batch_size_sum") };
}

/**
 * Where a signed-in page's time goes, one request at a time: the mean latency of
 * /signin and of the tenant alert page, and per alert page the SQL statements
 * (pg_stat_statements: calls, the busiest listed) and the PDP checks.
 */
async function requestPathProfile(port: number, ownerUrl: string, pdpUrl: string, s: Session, staff: Session, benchDir?: string) {
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  try {
    const N = num("BENCH_LOAD_PROFILE_REQUESTS", 20) || 1;
    const cpu: Record<string, number> = {};
    const timeOf = async (host: string, p: string, cookie?: string, key = p) => {
      const t0 = performance.now();
      const cpu0 = processCpuMs(serverPid);
      for (let k = 0; k < N; k++) {
        const r = await request(port, host, "GET", p, cookie ? { cookie } : {});
        if (r.status !== 200) throw new Error(`${p} on ${host}: HTTP ${r.status}`);
      }
      const cpu1 = processCpuMs(serverPid);
      if (cpu0 !== null && cpu1 !== null) cpu[key] = (cpu1 - cpu0) / N;
      return (performance.now() - t0) / N;
    };
    const signinStartUs = monotonicUs();
    const signinMs = await timeOf(s.host, "/signin");
    phaseWindows.push({ name: "one at a time: /signin (signed out)", startUs: signinStartUs, endUs: monotonicUs() });
    await owner.query("select extensions.pg_stat_statements_reset()");
    const pdpBefore = await pdpCounts(pdpUrl);
    const alertsMs = await timeOf(s.host, "/alerts", s.cookie);
    const pdpAfter = await pdpCounts(pdpUrl);
    const pdpChecks = (pdpAfter.requests - pdpBefore.requests) / N;
    const pdpResources = (pdpAfter.resources - pdpBefore.resources) / N;
    const { rows } = await owner.query<{ calls: string; ms: number; plan_ms: number; query: string }>(
      `select calls, total_exec_time as ms, total_plan_time as plan_ms, regexp_replace(query, '\\s+', ' ', 'g') as query
         from extensions.pg_stat_statements
        where query not ilike '%pg_stat_statements%'
        order by total_exec_time desc`,
    );
    const calls = rows.reduce((n, r) => n + Number(r.calls), 0) / N;
    const dbMs = rows.reduce((n, r) => n + r.ms, 0) / N;
    const planMs = rows.reduce((n, r) => n + r.plan_ms, 0) / N;
    console.log(`\nRequest path, one request at a time (${N} each): /signin ${signinMs.toFixed(1)} ms; tenant /alerts ${alertsMs.toFixed(1)} ms`);
    if (cpu["/signin"] !== undefined && cpu["/alerts"] !== undefined) {
      console.log(`  server CPU per request: /signin ${cpu["/signin"].toFixed(1)} ms; tenant /alerts ${cpu["/alerts"].toFixed(1)} ms`);
    }
    // BENCH_LOAD_PROFILE_PATHS: more of this session's pages (comma-separated), server CPU per request
    // each, to see what part of a page's cost is what (e.g. /alerts?q=nomatch renders the shell and no rows).
    for (const extra of (process.env.BENCH_LOAD_PROFILE_PATHS ?? "").split(",").filter(Boolean).map((p) => p.replace("{slug}", s.host.split(".")[0]))) {
      const startUs = monotonicUs();
      const asStaff = extra.startsWith("console:");
      const ms = asStaff ? await timeOf(staff.host, extra.slice("console:".length), staff.cookie, extra) : await timeOf(s.host, extra, s.cookie);
      phaseWindows.push({ name: `one at a time: ${extra}`, startUs, endUs: monotonicUs() });
      console.log(`  ${extra}: ${ms.toFixed(1)} ms, server CPU ${cpu[extra]?.toFixed(1) ?? "?"} ms per request`);
    }
    const page = await request(port, s.host, "GET", "/alerts", { cookie: s.cookie });
    // The RSC payload Next inlines for hydration (self.__next_f.push chunks) is part of the HTML.
    const flight = [...page.body.matchAll(/self\.__next_f\.push\((.*?)\)<\/script>/gs)].reduce((n, m) => n + m[1].length, 0);
    console.log(`  alert page: ${(page.body.length / 1024).toFixed(0)} KiB of HTML, of which ${(flight / 1024).toFixed(0)} KiB inline RSC payload`);
    // The page itself, to see what its bytes are (BENCH_DIR/alerts-page.html).
    if (benchDir) await writeFile(path.join(benchDir, "alerts-page.html"), page.body);
    console.log(`  per alert page: ${calls.toFixed(1)} SQL statements (${dbMs.toFixed(1)} ms executing in Postgres, ${planMs.toFixed(1)} ms planning), ${pdpChecks.toFixed(1)} PDP check requests over ${pdpResources.toFixed(1)} resources`);
    for (const r of rows.slice(0, Number(process.env.BENCH_LOAD_PROFILE_ROWS ?? 12))) {
      console.log(`  ${(Number(r.calls) / N).toFixed(1).padStart(5)}× ${(r.ms / N).toFixed(2).padStart(7)} ms (+${(r.plan_ms / N).toFixed(2)} planning)  ${r.query.slice(0, 100)}`);
    }
  } finally {
    await owner.end();
  }
}

export async function runLoadBench(opts: { benchDir: string }) {
  // BENCH_LOAD_CPU_PROF=<dir>: profile the server (node --cpu-prof into <dir>, written when it exits) and
  // write <dir>/phases.json, each phase's window on the monotonic clock the profile's timestamps use, to
  // cut one phase's samples out.
  const cpuProfDir = process.env.BENCH_LOAD_CPU_PROF ? path.resolve(process.env.BENCH_LOAD_CPU_PROF) : null;
  if (cpuProfDir) await mkdir(cpuProfDir, { recursive: true });
  const portal = await startLoadPortal({ benchDir: opts.benchDir, nodeArgs: cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : [] });
  const { port, sessions } = portal;
  const db = { url: portal.ownerUrl };
  const pdp = { url: portal.pdpUrl };
  serverPid = portal.serverPid;
  try {
    const tenantSessions = sessions.filter((s) => s.kind === "tenant");
    const consoleSessions = sessions.filter((s) => s.kind === "console");
    let i = 0;
    const results: PhaseResult[] = [];
    // Warm-up: every page once per session (compiles nothing in production, but fills caches and pools).
    for (const s of sessions) for (const p of s.kind === "tenant" ? ["/tenants", "/alerts"] : ["/", "/alerts"]) await request(port, s.host, "GET", p, { cookie: s.cookie });

    await requestPathProfile(port, db.url, pdp.url, tenantSessions[0], consoleSessions[0], opts.benchDir);
    // Index usage counted from here (the phases), not the seed's.
    const indexScansBefore = await snapshotIndexScans(db.url);

    results.push(
      await phase("signin (signed out, tenant hosts)", port, SHORT_SECONDS, () => {
        const s = tenantSessions[i++ % tenantSessions.length];
        return { session: null, host: s.host, path: "/signin" };
      }),
    );
    // The mix: of every 10 requests, 4 tenant alert pages, 3 tenant tree pages, 2 console alert pages, 1 console overview
    // (a tenant host's / only redirects to /alerts).
    const mix: Array<["tenant" | "console", string]> = [
      ["tenant", "/alerts"], ["tenant", "/tenants"], ["console", "/alerts"], ["tenant", "/alerts"], ["tenant", "/tenants"],
      ["tenant", "/alerts"], ["console", "/"], ["tenant", "/tenants"], ["tenant", "/alerts"], ["console", "/alerts"],
    ];
    let t = 0;
    let c = 0;
    results.push(
      await phase(`signed-in mix (${tenantSessions.length} tenant + ${consoleSessions.length} console sessions)`, port, SECONDS, () => {
        const [kind, p] = mix[i++ % mix.length];
        const s = kind === "tenant" || consoleSessions.length === 0 ? tenantSessions[t++ % tenantSessions.length] : consoleSessions[c++ % consoleSessions.length];
        return { session: s, host: s.host, path: p };
      }),
    );
    const pdpBeforeAlerts = await pdpCounts(pdp.url);
    results.push(
      await phase("tenant /alerts (signed in)", port, SHORT_SECONDS, () => {
        const s = tenantSessions[t++ % tenantSessions.length];
        return { session: s, host: s.host, path: "/alerts" };
      }),
    );
    const pdpAfterAlerts = await pdpCounts(pdp.url);
    const pdpPerPage = (pdpAfterAlerts.requests - pdpBeforeAlerts.requests) / Math.max(1, results[results.length - 1].requests);
    // 4. The same page without auth and RLS (the baseline): same hosts and tenants, same leak check.
    results.push(
      await phase("tenant alerts, baseline (no auth/PDP/RLS, owner + tenant filter)", port, SHORT_SECONDS, () => {
        const s = tenantSessions[t++ % tenantSessions.length];
        return { session: { ...s, cookie: "" }, host: s.host, path: `/bench-baseline/${s.host.split(".")[0]}/alerts` };
      }),
    );
    // 5. The render floor: the baseline page's components over data loaded once and kept in the server
    // (app/bench-baseline/[tenant]/alerts-render): no database, session, PDP, RLS or shell, only Next
    // rendering the page's content. Where this stands against /signin bounds what any cut of auth, RLS or
    // queries can reach.
    results.push(
      await phase("tenant alerts, render only (data kept: no DB/auth/PDP/RLS/shell)", port, SHORT_SECONDS, () => {
        const s = tenantSessions[t++ % tenantSessions.length];
        return { session: { ...s, cookie: "" }, host: s.host, path: `/bench-baseline/${s.host.split(".")[0]}/alerts-render` };
      }),
    );

    // The goal's ratio again, in alternating short slices (/signin, /alerts, /signin, ...): this machine's
    // speed drifts by 10-30% over a minute (other tenants of the host), which moves one 10 s phase against
    // the next; alternating puts both pages under the same drift. BENCH_LOAD_RATIO_ROUNDS rounds of
    // BENCH_LOAD_RATIO_SLICE seconds per page; 0 rounds skips it. A slice loses about one request per
    // connection while the connections fill (the first answers come a latency after the start), which
    // weighs on the slower page, so the slice grows with the connections: 3 s up to 15 connections
    // (8 rounds), 10 s at 50 (4 rounds).
    const ratioSlice = Math.max(1, num("BENCH_LOAD_RATIO_SLICE", Math.max(3, Math.round(CONNECTIONS / 5))));
    const ratioRounds = num("BENCH_LOAD_RATIO_ROUNDS", ratioSlice > 5 ? 4 : 8);
    type Pick = () => { session: Session | null; host: string; path: string };
    /** Every alternated slice's result: their errors, non-200 answers and leaks fail the run like any phase's. */
    const alternated: PhaseResult[] = [];
    /** Pages a and b in turn (a, b, then b, a, ...), a slice each per round: each one's mean req/s, and b against a. */
    const alternate = async (label: string, [aName, a]: [string, Pick], [bName, b]: [string, Pick]) => {
      if (ratioRounds === 0) throw new Error("BENCH_LOAD_RATIO_ROUNDS must be at least 1 to alternate pages");
      const mean = { a: 0, b: 0 };
      const perRound: number[] = [];
      for (let round = 0; round < ratioRounds; round++) {
        const rps = { a: 0, b: 0 };
        for (const which of round % 2 === 0 ? (["a", "b"] as const) : (["b", "a"] as const)) {
          const r = await phase(`${label} ${which === "a" ? aName : bName} ${round + 1}`, port, ratioSlice, which === "a" ? a : b);
          alternated.push(r);
          rps[which] = r.requests / ratioSlice;
          mean[which] += rps[which] / ratioRounds;
        }
        perRound.push(rps.b / rps.a);
      }
      const sorted = perRound.sort((x, y) => x - y);
      const range = `rounds ${sorted[0].toFixed(2)}–${sorted[sorted.length - 1].toFixed(2)}, median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)}`;
      return { a: mean.a, b: mean.b, ratio: mean.b / mean.a, range };
    };
    /** The next tenant session's request for `p` ({slug}: its tenant), or its host's /signin signed out. */
    const signedIn = (p: string): Pick => () => {
      const s = tenantSessions[t++ % tenantSessions.length];
      return { session: s, host: s.host, path: p.replace("{slug}", s.host.split(".")[0]) };
    };
    const signedOut = (p: string): Pick => () => ({ session: null, host: tenantSessions[t++ % tenantSessions.length].host, path: p });
    const interleaved = ratioRounds > 0 ? await alternate("interleaved", ["signin", signedOut("/signin")], ["alerts", signedIn("/alerts")]) : null;

    // BENCH_LOAD_PAIRS="/a|/b;/a|/c": two signed-in tenant pages alternated the same way, printed as b's
    // throughput against a's: what a part of a page costs, under the same drift ({slug}: the session's tenant).
    const pairs: string[] = [];
    for (const pair of (process.env.BENCH_LOAD_PAIRS ?? "").split(";").filter(Boolean)) {
      const [a, b] = pair.split("|");
      if (!a || !b) throw new Error(`BENCH_LOAD_PAIRS: "${pair}" is not two paths joined by |`);
      const r = await alternate("pair", [`a ${a}`, signedIn(a)], [`b ${b}`, signedIn(b)]);
      pairs.push(`${b} vs ${a}: ${r.b.toFixed(0)} vs ${r.a.toFixed(0)} req/s, ${r.ratio.toFixed(3)}× (${r.range})`);
    }

    // BENCH_LOAD_EXTRA_PHASES=/tenants,/account/mfa: more signed-in tenant pages under the same load, each
    // against /signin, to see where the floor of a signed-in page lies on this machine.
    const extras: PhaseResult[] = [];
    for (const extra of (process.env.BENCH_LOAD_EXTRA_PHASES ?? "").split(",").filter(Boolean)) {
      extras.push(await phase(`tenant ${extra} (signed in)`, port, SHORT_SECONDS, signedIn(extra)));
    }
    results.push(...extras);

    console.log(`\nLoad: ${CONNECTIONS} connections, production build (next start), 2 cores shared by client, server, PDP and Postgres`);
    console.log("phase".padEnd(58) + "req/s".padStart(8) + "p50 ms".padStart(9) + "p99 ms".padStart(9) + "requests".padStart(10) + "errors".padStart(8) + "non-200".padStart(9) + "leaks".padStart(7) + "  CPU ms/req: server".padStart(21) + "postgres".padStart(10) + "machine".padStart(9));
    for (const r of results) {
      console.log(
        r.name.padEnd(58) + r.rps.toFixed(0).padStart(8) + String(r.p50).padStart(9) + String(r.p99).padStart(9) +
          String(r.requests).padStart(10) + String(r.errors).padStart(8) + String(r.non200).padStart(9) + String(r.leaks).padStart(7) +
          (r.cpuMsPerRequest === undefined ? "" : r.cpuMsPerRequest.toFixed(1).padStart(21)) +
          (r.postgresCpuMsPerRequest === undefined ? "" : r.postgresCpuMsPerRequest.toFixed(1).padStart(10)) +
          (r.machineCpuMsPerRequest === undefined ? "" : r.machineCpuMsPerRequest.toFixed(1).padStart(9)),
      );
    }
    const signin = results[0];
    const alerts = results[2];
    console.log(`tenant /alerts signed in vs /signin signed out: ${(alerts.rps / signin.rps).toFixed(2)}× the throughput (goal >= 0.5×)`);
    if (interleaved) {
      console.log(
        `  the same, alternating ${ratioRounds} rounds of ${ratioSlice} s a page: /signin ${interleaved.a.toFixed(0)} req/s, /alerts ${interleaved.b.toFixed(0)} req/s: ` +
          `${interleaved.ratio.toFixed(2)}× (${interleaved.range})`,
      );
    }
    console.log(`PDP check requests per signed-in alert page under load: ${pdpPerPage.toFixed(2)}`);
    const baseline = results[3];
    console.log(
      `tenant /alerts signed in vs the same page without auth and RLS: ${(alerts.rps / baseline.rps).toFixed(2)}× the throughput, ` +
        `p50 ${alerts.p50} vs ${baseline.p50} ms (the baseline skips the shell's layout, the PDP and the triage controls' reads)`,
    );
    const renderOnly = results[4];
    console.log(
      `the same page's content rendered from kept data (no DB, auth, PDP, RLS or shell) vs /signin signed out: ${(renderOnly.rps / signin.rps).toFixed(2)}× the throughput, ` +
        `machine CPU ${renderOnly.machineCpuMsPerRequest?.toFixed(1) ?? "?"} ms a page (the goal's 0.5× allows ${signin.machineCpuMsPerRequest === undefined ? "?" : (2 * signin.machineCpuMsPerRequest).toFixed(1)} ms for the whole signed-in page)`,
    );
    for (const extra of extras) console.log(`${extra.name} vs /signin signed out: ${(extra.rps / signin.rps).toFixed(2)}× the throughput`);
    for (const line of pairs) console.log(`alternated: ${line}`);
    // Indexes no page used in the phases (scripts/bench/index-usage.ts): candidates to drop,
    // to be checked against the pages this mix does not open before dropping any.
    try {
      const lines = await unusedIndexLines(db.url, indexScansBefore, { tables: LOAD_PAGE_TABLES });
      console.log(`indexes on the pages' tables no request used in this run:`);
      for (const line of lines) console.log(`  ${line}`);
    } catch (error) {
      console.log(`(index usage not read: ${(error as Error).message})`);
    }
    if (cpuProfDir) {
      await writeFile(path.join(cpuProfDir, "phases.json"), JSON.stringify(phaseWindows, null, 2));
      console.log(`CPU profile of the server: ${cpuProfDir} (written when it stops), phase windows in phases.json`);
    }
    const bad = [...results, ...alternated].reduce((n, r) => n + r.errors + r.non200 + r.leaks, 0);
    if (bad > 0) {
      console.log(`FAILED: ${bad} errors, non-200 answers or leaks`);
      process.exitCode = 1;
    }
  } finally {
    await portal.stop();
  }
}
