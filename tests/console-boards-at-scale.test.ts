// The console's Health board (lib/health/page-data.ts loadHealthBoard) and
// Configuration drift report (lib/settings/drift.ts loadDriftReports) with
// more customers than a page holds: 120 customers under one MSSP, on a real
// Postgres with RLS and the real PDP. Each shows at most a page of rows (the
// data and the rendered HTML), its summary counts equal a count made directly
// in SQL as the owner, the search and the pages reach a customer on a later
// page, a bad ?page= or search is dropped with a note, and a tenant admin or
// another MSSP sees nothing of the tenants outside its scope.
import "./helpers/next-async-storage";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { HealthBoardView } from "@/components/health/health-board";
import { DriftReportView } from "@/components/settings/drift-report";
import { BOARD_PAGE_SIZE, loadHealthBoard, parseBoardQuery, type BoardQuery, type HealthBoard } from "@/lib/health/page-data";
import { DRIFT_PAGE_SIZE, loadDriftReports, parseDriftQuery, type DriftQuery, type DriftReport } from "@/lib/settings/drift";
import { useFixtureEnv } from "./helpers/fixture-env";

const CUSTOMERS = 120;
const env = useFixtureEnv();
const board = (q: Partial<BoardQuery> = {}, user: "msspAdmin" | "msspAnalyst" | "acmeAdmin" | "msspBAdmin" | "acmeViewer" = "msspAdmin") =>
  env.as(user, (tx) => loadHealthBoard(tx, { state: "all", q: null, page: 1, ...q }));
const drift = async (q: Partial<DriftQuery> = {}, user: "msspAdmin" | "msspAnalyst" | "msspBAdmin" = "msspAdmin") =>
  env.as(user, (tx) => loadDriftReports(tx, { q: null, setting: null, page: 1, ...q }));

env.before(async () => {
  // 120 customers of mssp-a: "Scale 001" (scale-001) … "Scale 120".
  await env.owner(
    `insert into public.tenants (parent_id, slug, name, kind)
     select $1, 'scale-' || lpad(g::text, 3, '0'), 'Scale ' || lpad(g::text, 3, '0'), 'customer' from generate_series(1, $2::int) g`,
    [env.fx.tenants["mssp-a"], CUSTOMERS],
  );
  // Health: every 20th down, every 7th (not down) degraded, the last ten never evaluated, the rest healthy.
  await env.owner(
    `insert into public.tenant_health (tenant_id, state, signals, since, evaluated_at)
     select t.id,
            case when n % 20 = 0 then 'down' when n % 7 = 0 then 'degraded' else 'healthy' end,
            case when n % 20 = 0 then '[{"kind":"collectors","level":"critical","reason":"Collector silent for 90 min"}]'::jsonb else '[]'::jsonb end,
            now() - interval '1 hour', now()
       from (select id, substr(slug, 7)::int as n from public.tenants where slug like 'scale-%') t
      where t.n <= $1::int - 10`,
    [CUSTOMERS],
  );
  // Settings: every 2nd customer its own time zone (Paris; every 10th UTC, the MSSP's value: no drift),
  // every 3rd its own user limit (25; the default is 50).
  await env.owner(
    `insert into public.tenant_settings (tenant_id, key, value)
     select id, 'locale.time_zone', case when n % 10 = 0 then '"UTC"' else '"Europe/Paris"' end::jsonb
       from (select id, substr(slug, 7)::int as n from public.tenants where slug like 'scale-%') t where n % 2 = 0
     union all
     select id, 'limits.users', '25'::jsonb
       from (select id, substr(slug, 7)::int as n from public.tenants where slug like 'scale-%') t where n % 3 = 0`,
  );
});

/** Every tile of the board over all its pages, in order. */
async function everyTile(q: Partial<BoardQuery> = {}) {
  const first = await board(q);
  const slugs = first.tiles.map((t) => t.slug);
  for (let page = 2; page <= first.pageCount; page++) slugs.push(...(await board({ ...q, page })).tiles.map((t) => t.slug));
  return { first, slugs };
}

const render = {
  board: (b: HealthBoard) => renderToStaticMarkup(createElement(HealthBoardView, { board: b })),
  drift: (r: DriftReport) => renderToStaticMarkup(createElement(DriftReportView, { report: r, defaultsHref: "/configuration/mssp-a", customerHref: (slug: string) => `/customers/${slug}/settings` })),
};
const occurrences = (html: string, needle: string) => html.split(needle).length - 1;

describe("the health board past a page of tenants", () => {
  test("at most a page of tiles, worst first; the counts per state are a direct SQL count", async () => {
    const b = await board();
    assert.equal(b.tiles.length, BOARD_PAGE_SIZE);
    const direct = await env.owner<{ state: string; n: number }>(
      `select coalesce(h.state, 'unknown') as state, count(*)::int as n
         from public.tenants t left join public.tenant_health h on h.tenant_id = t.id
        where t.path operator(extensions.<@) (select path from public.tenants where slug = 'mssp-a') and t.kind <> 'mssp' and t.status <> 'deprovisioned'
        group by 1`,
    );
    const expected = { all: 0, down: 0, degraded: 0, healthy: 0, unknown: 0 };
    for (const r of direct) {
      expected[r.state as keyof typeof expected] = r.n;
      expected.all += r.n;
    }
    assert.deepEqual(b.counts, expected);
    assert.equal(b.counts.all, CUSTOMERS + 4, "the 120 and acme, its two sites, globex");
    assert.deepEqual([b.counts.down, b.counts.degraded, b.counts.unknown, b.counts.healthy], [5, 15, 14, 90], "the last ten and the fixtures' four never evaluated");
    assert.equal(b.scope, CUSTOMERS + 4);
    // Worst first: the down ones, then the degraded, then those not evaluated, then the healthy.
    const rank = { down: 0, degraded: 1, unknown: 2, healthy: 3 };
    const states = b.tiles.map((t) => rank[t.state ?? "unknown"]);
    assert.deepEqual(states, [...states].sort((x, y) => x - y));
    assert.deepEqual(b.tiles.slice(0, 5).map((t) => t.state), Array(5).fill("down"));
    assert.equal(b.tiles[0].reasons[0].reason, "Collector silent for 90 min");

    // What the page draws: one page of tiles, whatever the number of tenants.
    const html = render.board(b);
    assert.equal(occurrences(html, 'data-testid="health-tile-'), BOARD_PAGE_SIZE);
    assert.ok(html.includes('data-testid="health-pager"'));
    assert.ok(html.length < 80_000, `the board's HTML: ${html.length} characters`);
  });

  test("the pages cover every tenant once; the search and a later page reach one; a page past the end is the last", async () => {
    const { first, slugs } = await everyTile();
    assert.equal(first.pageCount, Math.ceil((CUSTOMERS + 4) / BOARD_PAGE_SIZE));
    assert.equal(slugs.length, CUSTOMERS + 4);
    assert.equal(new Set(slugs).size, slugs.length, "no tenant on two pages");
    // scale-109 is healthy, and the healthy come last: on a later page.
    assert.ok(!first.tiles.some((t) => t.slug === "scale-109"));
    const last = await board({ page: first.pageCount });
    assert.ok(last.tiles.some((t) => t.slug === "scale-109"), "paging reaches it");
    const found = await board({ q: "scale-109" });
    assert.deepEqual([found.tiles.map((t) => t.slug), found.counts.all, found.pageCount], [["scale-109"], 1, 1]);
    assert.deepEqual((await board({ q: "SCALE 109" })).tiles.map((t) => t.slug), ["scale-109"], "by name, any case");
    // The search narrows the counts too; with a state filter, the pager counts that state.
    const tens = await board({ q: "scale-1", state: "down" });
    assert.deepEqual(tens.tiles.map((t) => t.slug), ["scale-100"], "scale-120 is down every 20th, but never evaluated");
    assert.equal(tens.counts.down, tens.tiles.length);
    const past = await board({ page: 99 });
    assert.deepEqual([past.query.page, past.tiles.length], [first.pageCount, (CUSTOMERS + 4) % BOARD_PAGE_SIZE || BOARD_PAGE_SIZE]);
    // LIKE's wildcards are taken literally.
    assert.equal((await board({ q: "%" })).tiles.length, 0);
  });

  test("a bad ?page= or search is dropped with a note, never an error", () => {
    for (const [params, what] of [
      [{ page: "0" }, /Ignored the page "0": pages are numbered from 1/],
      [{ page: "two" }, /Ignored the page "two"/],
      [{ q: "x".repeat(101) }, /Ignored the search "x{40}…": a search is at most 100 characters/],
      [{ q: "acme\u0007" }, /Ignored the search "acme": a search cannot contain control characters/],
      [{ state: "on-fire", page: "2" }, /Ignored the state filter "on-fire"/],
    ] as const) {
      const { query, problems } = parseBoardQuery(params);
      assert.equal(problems.length, 1, JSON.stringify(params));
      assert.match(problems[0], what);
      assert.deepEqual([query.state, query.q], ["all", null]);
    }
    assert.deepEqual(parseBoardQuery({ state: "down", q: " scale ", page: "3" }), { query: { state: "down", q: "scale", page: 3 }, problems: [] });
  });

  test("a tenant admin, an MSSP analyst of another MSSP and a viewer see nothing outside their scope", async () => {
    const acme = await board({}, "acmeAdmin");
    assert.deepEqual([acme.scope, acme.counts.all, acme.tiles.map((t) => t.slug).sort()], [3, 3, ["acme", "acme-eu", "acme-us"]]);
    assert.equal((await board({ q: "scale" }, "acmeAdmin")).counts.all, 0, "the search finds no customer of its MSSP");
    const other = await board({}, "msspBAdmin");
    assert.deepEqual([other.scope, other.tiles.map((t) => t.slug)], [1, ["other-co"]]);
    assert.equal((await board({ q: "scale-109" }, "msspBAdmin")).tiles.length, 0);
    assert.ok(!other.recent.some((r) => r.tenantSlug.startsWith("scale-")));
    const viewer = await board({}, "acmeViewer");
    assert.deepEqual([viewer.scope, viewer.tiles.length, viewer.hidden], [0, 0, 3], "RLS shows its subtree, the PDP refuses alerts:triage on it");
  });
});

describe("the drift report past a page of customers", () => {
  test("the counts per setting and of customers that differ are a direct SQL count; at most a page of rows", async () => {
    const [r] = await drift();
    const [direct] = await env.owner<{ tz: number; users: number; customers: number }>(
      `select count(*) filter (where s.key = 'locale.time_zone' and s.value <> '"UTC"')::int as tz,
              count(*) filter (where s.key = 'limits.users')::int as users,
              count(distinct s.tenant_id) filter (where (s.key = 'locale.time_zone' and s.value <> '"UTC"') or s.key = 'limits.users')::int as customers
         from public.tenant_settings s join public.tenants t on t.id = s.tenant_id
        where t.parent_id = $1`,
      [env.fx.tenants["mssp-a"]],
    );
    assert.equal(r.settings.find((s) => s.key === "locale.time_zone")!.differing, direct.tz);
    assert.equal(r.settings.find((s) => s.key === "limits.users")!.differing, direct.users);
    assert.equal(r.customersWithDrift, direct.customers);
    assert.ok(direct.customers > DRIFT_PAGE_SIZE, `more customers differ (${direct.customers}) than a page holds`);
    assert.equal(r.customers, CUSTOMERS + 2);
    assert.equal(r.rows.length, DRIFT_PAGE_SIZE);
    // Most differences first: the customers on both settings (every 6th, less every 30th's UTC) lead.
    assert.deepEqual(r.rows.slice(0, 3).map((c) => [c.slug, c.count]), [["scale-006", 2], ["scale-012", 2], ["scale-018", 2]]);
    assert.deepEqual(r.rows[0].cells, { "locale.time_zone": { display: "Europe/Paris", locked: false }, "limits.users": { display: "25 users", locked: false } });
    assert.equal(r.rows.filter((c) => c.count === 2).length, 16);

    const html = render.drift(r);
    assert.equal(occurrences(html, 'data-testid="drift-row-'), DRIFT_PAGE_SIZE);
    assert.ok(html.length < 60_000, `the report's HTML: ${html.length} characters`);
  });

  test("the pages cover every customer that differs once; the search, a setting and a later page reach one", async () => {
    const [first] = await drift();
    const slugs = first.rows.map((c) => c.slug);
    for (let page = 2; page <= first.pageCount; page++) slugs.push(...(await drift({ page }))[0].rows.map((c) => c.slug));
    assert.equal(slugs.length, first.customersWithDrift);
    assert.equal(new Set(slugs).size, slugs.length);
    // scale-117 (its user limit only: one difference) sorts after every two-difference customer and by name: a later page.
    assert.ok(!first.rows.some((c) => c.slug === "scale-117"));
    assert.ok((await drift({ page: first.pageCount }))[0].rows.some((c) => c.slug === "scale-117"));
    const [found] = await drift({ q: "Scale 117" });
    assert.deepEqual([found.rows.map((c) => c.slug), found.matching, found.customersWithDrift], [["scale-117"], 1, first.customersWithDrift]);
    // A customer on the defaults (scale-001 sets nothing; scale-010 sets UTC, the MSSP's own) is not listed.
    assert.equal((await drift({ q: "scale-001" }))[0].rows.length, 0);
    assert.equal((await drift({ q: "scale-010" }))[0].rows.length, 0);
    const [users] = await drift({ setting: "limits.users" });
    assert.equal(users.matching, first.settings.find((s) => s.key === "limits.users")!.differing);
    assert.ok(users.rows.every((c) => c.cells["limits.users"]?.display === "25 users"));
    const [past] = await drift({ page: 99 });
    assert.equal(past.query.page, first.pageCount);
    assert.equal((await drift({ q: "_" }))[0].rows.length, 0, "LIKE's wildcards are taken literally");
  });

  test("a bad ?page=, search or setting is dropped with a note", () => {
    for (const [params, what] of [
      [{ page: "-1" }, /Ignored the page "-1"/],
      [{ page: "1.5" }, /Ignored the page "1.5"/],
      [{ q: "y".repeat(120) }, /Ignored the search/],
      [{ setting: "profile.industry" }, /Ignored the setting filter "profile.industry": not a setting the report compares/],
      [{ setting: "nope" }, /Ignored the setting filter "nope"/],
    ] as const) {
      const { query, problems } = parseDriftQuery(params);
      assert.equal(problems.length, 1, JSON.stringify(params));
      assert.match(problems[0], what);
      assert.deepEqual(query, { q: null, setting: null, page: 1 });
    }
    assert.deepEqual(parseDriftQuery({ q: "scale", setting: "limits.users", page: "2" }).query, { q: "scale", setting: "limits.users", page: 2 });
  });

  test("another MSSP's report names none of these customers; a tenant admin gets none", async () => {
    const reports = await drift({}, "msspBAdmin");
    assert.deepEqual(reports.map((r) => r.mssp.slug), ["mssp-b"]);
    assert.deepEqual([reports[0].customers, reports[0].customersWithDrift, reports[0].rows], [1, 0, []]);
    assert.equal((await drift({ q: "scale" }, "msspBAdmin"))[0].matching, 0);
    assert.deepEqual(await env.as("acmeAdmin", (tx) => loadDriftReports(tx, { q: "scale", setting: null, page: 1 })), []);
    const [analyst] = await drift({}, "msspAnalyst");
    assert.equal(analyst.customersWithDrift, (await drift())[0].customersWithDrift, "MSSP staff read the same report");
  });
});
