// `npm run bench -- --only=pages` (issue 13 point 7: "every console and tenant page's database work
// p95 < 150 ms" at 1,000 tenants / 2M alerts): every page of both hosts, requested one at a time over
// HTTP from the production build, signed in through the real sign-in, and per request the database
// work it caused, read from Postgres's own accounting (pg_stat_statements: every top-level statement's
// execution and planning time, reset before each request). The page-query bench (`npm run bench`,
// scenarios 1-19) times chosen statements through RLS against the owner's; this one covers every page
// whole, with no choice of statements, and proves none was left out.
//
//   data      the load bench's (scripts/bench/load-portal.ts; BENCH_LOAD_TENANTS, BENCH_LOAD_ALERTS)
//   sessions  the MSSP admin on the console and on the MSSP's own host (the tenant pages over every
//             customer), and a tenant admin of the scale customer with the most alerts under it (its
//             sites included) on its own host: the largest tenant-side pages
//   requests  BENCH_PAGES_REQUESTS per page (default 20) after one warm-up; the job worker is off
//             (JOBS_WORKER=false) so that only the pages' own statements are counted
//   printed   per page: HTTP status, statements per request, database ms p50 / p95 / max, the
//             request's wall time p50; then how many pages meet p95 < 150 ms. A page that does not
//             answer 200 fails the run (a page that moved or broke would otherwise go unmeasured), but
//             for a 403 or 404 on the MSSP's own host (a customer's page it does not offer)
//   checks    every response free of another tenant's markers (as the load bench's), and every page
//             free of hold-and-wait (DB_HOLD_AND_WAIT=warn in the server: a second pooled connection
//             asked for while the page's transaction holds one; counted per page, fails the run)
//   only      BENCH_PAGES_ONLY=console:/compare,tenant:/workflows,mssp:/audit: just those pages
//   written   BENCH_DIR/pages.json: every page's figures
import { writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { base32Decode, totp } from "@/lib/auth/totp";
import { DEMO_MSSP_SLUG } from "@/lib/demo/tenants";
import { DEMO_TOTP_SECRET } from "@/lib/demo/users";
import { num, request, type Session, signIn, STAFF_FORBIDDEN, staffEmail, startLoadPortal } from "./load-portal";
import { median, p95 } from "./measure";

const GOAL_P95_MS = 150;

/** Console pages (the console host; app/console/*), {name} filled from the data below. */
const CONSOLE_PAGES = [
  "/",
  "/alerts",
  "/alerts?status=new&severity=critical",
  "/alerts/{consoleAlert}",
  "/audit",
  "/billing",
  "/billing/revenue",
  "/bulk",
  "/compare",
  "/compare?c={customer},{customer2},{customer3}",
  "/configuration",
  "/configuration/{customer}",
  "/credentials",
  "/credentials/manage?tenant={customer}",
  "/customers",
  "/customers/{customer}",
  "/customers/{customer}/api-keys",
  "/customers/{customer}/brand",
  "/customers/{customer}/domains",
  "/customers/{customer}/settings",
  "/customers/import",
  "/customers/restore",
  "/dashboard",
  "/dashboard?range=90d",
  "/health",
  "/health/{customer}",
  "/keys",
  "/reports",
  "/team",
  "/tenants",
  "/usage",
  "/usage/{customer}",
  "/account/mfa",
] as const;

/** A customer's own pages (its host; app/t/[tenant]/*). Its / sends the browser on to /alerts. */
const TENANT_PAGES = [
  "/alerts",
  "/alerts?status=new&severity=critical",
  "/alerts/{tenantAlert}",
  "/api-keys",
  "/audit",
  "/benchmark",
  "/billing",
  "/credentials",
  "/dashboard",
  "/dashboard?range=90d",
  "/domains",
  "/reports",
  "/settings",
  "/settings/brand",
  "/status",
  "/team",
  "/tenants",
  "/usage",
  "/workflows",
  "/account/mfa",
] as const;

type HostKind = "console" | "tenant" | "mssp";

interface PageFigures {
  host: HostKind;
  /** Requests of this page that asked for a second pooled connection while holding one. */
  holdAndWait: number;
  path: string;
  status: number;
  statements: number;
  dbP50: number;
  dbP95: number;
  dbMax: number;
  wallP50: number;
}

/** The database work of one request: every top-level statement's execution and planning time since the reset. */
async function databaseWork(owner: pg.Client): Promise<{ ms: number; statements: number }> {
  const { rows } = await owner.query<{ ms: number | null; calls: string | null }>(
    `select sum(total_exec_time + total_plan_time) as ms, sum(calls) as calls
       from extensions.pg_stat_statements
      where query not ilike '%pg_stat_statements%'`,
  );
  return { ms: Number(rows[0].ms ?? 0), statements: Number(rows[0].calls ?? 0) };
}

/** The scale customer with the most alerts under it (its sites' too): the tenant side's largest pages. */
async function largestCustomer(owner: pg.Client, ids: string[]): Promise<string[]> {
  const { rows } = await owner.query<{ id: string }>(
    `select c.id
       from unnest($1::uuid[]) c(id)
       join public.tenants t on t.id = c.id
       join public.tenants below on below.path operator(extensions.<@) t.path
       join public.alert_open_counts o on o.tenant_id = below.id
      group by c.id
      order by sum(o.open) desc
      limit 1`,
    [ids],
  );
  return rows.map((r) => r.id);
}

export async function runPagesBench(opts: { benchDir: string }) {
  const N = num("BENCH_PAGES_REQUESTS", 20) || 1;
  // Only the pages' own statements in Postgres's accounting.
  process.env.JOBS_WORKER = "false";
  // Every page is also checked for hold-and-wait (lib/db/held-connection.ts): a second pooled connection
  // asked for while the page's transaction holds one. The server logs each case; they are counted per page.
  process.env.DB_HOLD_AND_WAIT = "warn";
  let holdAndWait = 0;
  const portal = await startLoadPortal({
    benchDir: opts.benchDir,
    staff: 1,
    pickCustomers: largestCustomer,
    onServerStderr: (line) => {
      if (line.includes("[hold-and-wait]")) holdAndWait++;
      else if (line.trim() && !/^\s+at /.test(line)) process.stderr.write(`server: ${line}\n`);
    },
  });
  const owner = new pg.Client({ connectionString: portal.ownerUrl });
  await owner.connect();
  try {
    const tenant = portal.sessions.find((s) => s.kind === "tenant");
    const staff = portal.sessions.find((s) => s.kind === "console");
    if (!tenant || !staff) throw new Error("the pages bench needs a tenant session and a console session");
    const tenantSlug = tenant.host.split(".")[0];
    const one = async (sql: string, params: unknown[]) => (await owner.query<{ v: string }>(sql, params)).rows[0]?.v;
    const others = await owner.query<{ slug: string }>(
      `select c.slug from public.tenants c join public.tenants m on c.parent_id = m.id
        where m.id = $1 and c.slug <> $2 and c.slug like 'scale-%' order by c.slug limit 2`,
      [portal.msspId, tenantSlug],
    );
    const names: Record<string, string | undefined> = {
      customer: tenantSlug,
      customer2: others.rows[0]?.slug,
      customer3: others.rows[1]?.slug,
      tenantAlert: await one(
        `select a.id::text as v from public.alerts a join public.tenants t on t.id = a.tenant_id
          where t.slug = $1 order by a.detected_at desc limit 1`,
        [tenantSlug],
      ),
      consoleAlert: await one(`select id::text as v from public.alerts order by detected_at desc limit 1`, []),
    };
    const fill = (p: string) =>
      p.replace(/\{(\w+)\}/g, (_, k: string) => {
        const v = names[k];
        if (!v) throw new Error(`the pages bench found no ${k} for ${p}`);
        return v;
      });

    const figures: PageFigures[] = [];
    // The MSSP admin on the MSSP's own host (the tenant pages over the whole MSSP: its rules, its audit…).
    const msspHost = `${DEMO_MSSP_SLUG}.localhost:${portal.port}`;
    // A TOTP code counts once (replay protection): the console's sign-in used this step's, so wait for the next.
    await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 500));
    const mssp: Session = {
      host: msspHost,
      cookie: await signIn(portal.port, msspHost, staffEmail(0), totp(base32Decode(DEMO_TOTP_SECRET))),
      forbidden: STAFF_FORBIDDEN,
      kind: "tenant",
    };
    const measure = async (host: HostKind, session: Session, template: string) => {
      const p = fill(template);
      const heldBefore = holdAndWait;
      const warm = await request(portal.port, session.host, "GET", p, { cookie: session.cookie });
      const db: number[] = [];
      const wall: number[] = [];
      let statements = 0;
      if (warm.status === 200) {
        for (let k = 0; k < N; k++) {
          await owner.query("select extensions.pg_stat_statements_reset()");
          const t0 = performance.now();
          const r = await request(portal.port, session.host, "GET", p, { cookie: session.cookie });
          wall.push(performance.now() - t0);
          if (r.status !== 200) throw new Error(`${p} on ${session.host}: HTTP ${r.status} after a 200`);
          const m = session.forbidden.exec(r.body);
          if (m) throw new Error(`${p} on ${session.host} carried "${m[0]}", a tenant this session may not see`);
          const work = await databaseWork(owner);
          db.push(work.ms);
          statements += work.statements;
        }
      }
      // The server writes its warning before the answer; a short wait lets the pipe deliver it.
      await new Promise((r) => setTimeout(r, 20));
      const f: PageFigures = {
        host,
        path: p,
        status: warm.status,
        holdAndWait: holdAndWait - heldBefore,
        statements: db.length ? statements / db.length : 0,
        dbP50: median(db),
        dbP95: p95(db),
        dbMax: db.length ? Math.max(...db) : NaN,
        wallP50: median(wall),
      };
      figures.push(f);
      // A page over the goal: its costliest statements, from one more request, to say where the time goes.
      const costliest: string[] = [];
      if (f.status === 200 && f.dbP95 >= GOAL_P95_MS) {
        await owner.query("select extensions.pg_stat_statements_reset()");
        await request(portal.port, session.host, "GET", p, { cookie: session.cookie });
        const { rows } = await owner.query<{ ms: number; calls: string; query: string }>(
          `select total_exec_time + total_plan_time as ms, calls, regexp_replace(query, '\\s+', ' ', 'g') as query
             from extensions.pg_stat_statements where query not ilike '%pg_stat_statements%'
            order by 1 desc limit 3`,
        );
        for (const r of rows) costliest.push(`          ${r.ms.toFixed(1).padStart(8)} ms ${r.calls}×  ${r.query.slice(0, 140)}`);
      }
      const shown = (x: number) => (Number.isNaN(x) ? "-" : x.toFixed(1));
      console.log(
        `${host.padEnd(8)}${template.padEnd(48)}${String(f.status).padStart(5)}${f.statements.toFixed(1).padStart(8)}` +
          `${shown(f.dbP50).padStart(9)}${shown(f.dbP95).padStart(9)}${shown(f.dbMax).padStart(9)}${shown(f.wallP50).padStart(9)}` +
          (f.status !== 200 ? "  NOT 200" : f.dbP95 < GOAL_P95_MS ? "  ok" : "  over") +
          (f.holdAndWait > 0 ? `  HOLD-AND-WAIT ×${f.holdAndWait}` : ""),
      );
      for (const line of costliest) console.log(line);
    };

    console.log(`\nEvery page's database work, one request at a time, ${N} requests a page (ms; goal p95 < ${GOAL_P95_MS} ms)`);
    console.log(
      `console: the MSSP admin over every customer; tenant: the admin of ${tenantSlug}, the customer with the most open alerts; ` +
        `mssp: the MSSP admin on the MSSP's own host (${DEMO_MSSP_SLUG})`,
    );
    console.log("host".padEnd(8) + "page".padEnd(48) + "HTTP".padStart(5) + "stmts".padStart(8) + "db p50".padStart(9) + "db p95".padStart(9) + "db max".padStart(9) + "wall p50".padStart(9));
    // BENCH_PAGES_ONLY=console:/compare,tenant:/workflows,mssp:/audit: just those pages (each template as listed above).
    const onlyPages = (process.env.BENCH_PAGES_ONLY ?? "").split(",").filter(Boolean);
    const wanted = (host: string, p: string) => onlyPages.length === 0 || onlyPages.includes(`${host}:${p}`);
    for (const p of CONSOLE_PAGES) if (wanted("console", p)) await measure("console", staff, p);
    for (const p of TENANT_PAGES) if (wanted("tenant", p)) await measure("tenant", tenant, p);
    for (const p of TENANT_PAGES) if (wanted("mssp", p) && !p.includes("{tenantAlert}")) await measure("mssp", mssp, p);

    const measured = figures.filter((f) => f.status === 200);
    const met = measured.filter((f) => f.dbP95 < GOAL_P95_MS);
    const worst = [...measured].sort((a, b) => b.dbP95 - a.dbP95)[0];
    console.log(
      `\n${met.length} of ${measured.length} pages within p95 < ${GOAL_P95_MS} ms of database work` +
        (worst ? `; the most: ${worst.host} ${worst.path} at ${worst.dbP95.toFixed(1)} ms` : ""),
    );
    await writeFile(path.join(opts.benchDir, "pages.json"), JSON.stringify({ requestsPerPage: N, figures }, null, 2));
    // The MSSP's own host may not offer a customer's page (a 403 or 404 there is an answer, printed above).
    const broken = figures.filter((f) => (f.status !== 200 && !(f.host === "mssp" && [403, 404].includes(f.status))) || f.holdAndWait > 0);
    if (broken.length) {
      console.log(`FAILED: ${broken.map((f) => `${f.host} ${f.path} HTTP ${f.status}${f.holdAndWait ? `, hold-and-wait ×${f.holdAndWait}` : ""}`).join(", ")}`);
      process.exitCode = 1;
    }
  } finally {
    await owner.end();
    await portal.stop();
  }
}
