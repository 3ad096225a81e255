// The dashboards' figures (lib/analytics/dashboard.ts) on a real Postgres
// with real RLS and the real PDP: every figure the page shows equals a direct
// SQL computation over public.alerts / assets on the same data, for the MSSP
// admin's console (every customer, a narrowed subtree) and a tenant admin's
// host (its own subtree only, never another customer's); and the URL state
// parser turns bad input into notes and defaults.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadDashboard, RISK_WEIGHTS, type DashboardData } from "@/lib/analytics/dashboard";
import { dashboardHref, MAX_RANGE_DAYS, parseDashboardQuery } from "@/lib/analytics/range";
import { ALERT_SEVERITIES } from "@/lib/alerts/severity";
import { useFixtureEnv } from "./helpers/fixture-env";
import { subtree, type TenantSlug } from "./helpers/fixtures";

const env = useFixtureEnv();

const DAY_MS = 86_400_000;
const TODAY = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
const SEVS = ["critical", "high", "medium", "low", "info"];

env.before(async () => {
  // 40 days of alerts in every mssp-a tenant and other-co, then triage some of them.
  for (const slug of ["acme", "acme-eu", "acme-us", "globex", "other-co"] as TenantSlug[]) {
    await env.owner(
      `insert into public.alerts (tenant_id, title, severity, source, detected_at)
       select $1, 'Seeded', (array['critical','high','medium','low','info'])[1 + (i % 5)], 'test',
              now() - (i * interval '7 hours') - interval '5 minutes'
         from generate_series(1, $2::int) i`,
      [env.fx.tenants[slug], slug === "globex" ? 60 : 120],
    );
  }
  await env.owner(`update public.alerts set status = 'acknowledged' where detected_at < now() - interval '2 days' and (hashtext(id::text) % 3) <> 0`);
  await env.owner(`update public.alerts set status = 'resolved', close_reason = 'done' where status = 'acknowledged' and (hashtext(id::text) % 2) = 0`);
  await env.owner(`update public.alerts set status = 'false_positive', close_reason = 'noise' where status = 'new' and severity = 'info' and detected_at < now() - interval '10 days'`);
  // Acme's sites have more assets.
  await env.owner(`insert into public.assets (tenant_id, hostname, criticality) select $1, 'host-' || i, (array['critical','high','medium','low'])[1 + i % 4] from generate_series(1, 8) i`, [env.fx.tenants["acme-eu"]]);
});

/** Direct SQL over public.alerts for the tenants `ids` and the UTC days [from, to]. */
async function direct(ids: string[], from: string, to: string) {
  const [r] = await env.owner<Record<string, string | null>>(
    `with a as (
       select *, (detected_at at time zone 'UTC')::date as det_day,
              case when status = 'new' then null else coalesce(acknowledged_at, case when status in ('resolved', 'false_positive') then resolved_at end) end as ack_at,
              status in ('resolved', 'false_positive') as is_closed,
              greatest((detected_at at time zone 'UTC')::date, (coalesce(resolved_at, detected_at) at time zone 'UTC')::date) as closed_day
         from public.alerts where tenant_id = any ($1::uuid[]))
     select count(*) filter (where det_day between $2::date and $3::date)::text as created,
            count(*) filter (where is_closed and closed_day between $2::date and $3::date)::text as closed,
            count(*) filter (where status = 'false_positive' and closed_day between $2::date and $3::date)::text as fp,
            count(*) filter (where status in ('new', 'acknowledged', 'in_progress'))::text as open_now,
            count(*) filter (where status in ('new', 'acknowledged', 'in_progress') and severity = 'critical')::text as open_critical,
            count(*) filter (where ack_at is not null and greatest(det_day, (ack_at at time zone 'UTC')::date) between $2::date and $3::date)::text as acked,
            sum(greatest(0, round(extract(epoch from ack_at - detected_at) * 1000))) filter (where ack_at is not null and greatest(det_day, (ack_at at time zone 'UTC')::date) between $2::date and $3::date)::text as tta,
            count(*) filter (where is_closed and resolved_at is not null and closed_day between $2::date and $3::date)::text as timed,
            sum(greatest(0, round(extract(epoch from resolved_at - detected_at) * 1000))) filter (where is_closed and resolved_at is not null and closed_day between $2::date and $3::date)::text as ttr,
            count(*) filter (where det_day <= $3::date and not (is_closed and closed_day <= $3::date))::text as open_at_end
       from a`,
    [ids, from, to],
  );
  return r;
}

function assertFigures(d: DashboardData, ref: Record<string, string | null>, what: string) {
  const t = d.totals;
  assert.equal(String(t.created), ref.created, `${what}: new alerts`);
  assert.equal(String(t.closed), ref.closed, `${what}: closed`);
  assert.equal(String(t.falsePositives), ref.fp, `${what}: false positives`);
  assert.equal(String(t.openNow), ref.open_now, `${what}: open now`);
  assert.equal(String(d.bySeverity.critical.openNow), ref.open_critical, `${what}: open critical`);
  assert.equal(String(t.acknowledged), ref.acked, `${what}: acknowledged`);
  assert.equal(String(t.ttaMsSum), ref.tta ?? "0", `${what}: MTTA sum`);
  assert.equal(String(t.ttrCount), ref.timed, `${what}: MTTR count`);
  assert.equal(String(t.ttrMsSum), ref.ttr ?? "0", `${what}: MTTR sum`);
  const last = d.series[d.series.length - 1];
  assert.equal(String(ALERT_SEVERITIES.reduce((n, s) => n + last.openAtEnd[s], 0)), ref.open_at_end, `${what}: open at the end of the last day`);
}

const ids = (...slugs: TenantSlug[]) => slugs.map((s) => env.fx.tenants[s]);

describe("console dashboard", () => {
  test("every customer, 30 days: each figure equals direct SQL; mssp-b's tenant is never in it", async () => {
    const { query } = parseDashboardQuery({ range: "30d" });
    const d = await env.as("msspAdmin", (tx) => loadDashboard(tx, query, null));
    assertFigures(d, await direct(ids("mssp-a", "acme", "acme-eu", "acme-us", "globex"), query.from, query.to), "mssp-a, 30 days");
    assert.equal(d.series.length, 30);
    assert.ok(!d.options.some((o) => o.slug === "other-co"), "other MSSP's customer not in the picker");
    assert.deepEqual(d.risky.map((r) => r.tenant.slug).sort(), ["acme", "globex"]);
    assert.equal(d.riskyOf, "customers");
    // Risk: weighted open per asset, over each customer's subtree.
    for (const r of d.risky) {
      const [x] = await env.owner<{ w: number; assets: number }>(
        `select (select coalesce(sum(case severity when 'critical' then $2::int when 'high' then $3::int when 'medium' then $4::int else 0 end), 0)::int
                   from public.alerts where tenant_id = any ($1::uuid[]) and status in ('new', 'acknowledged', 'in_progress')) as w,
                (select count(*)::int from public.assets where tenant_id = any ($1::uuid[])) as assets`,
        [ids(...subtree(r.tenant.slug as TenantSlug)), RISK_WEIGHTS.critical, RISK_WEIGHTS.high, RISK_WEIGHTS.medium],
      );
      assert.equal(r.weightedOpen, x.w, `${r.tenant.slug} weighted open`);
      assert.equal(r.assets, x.assets, `${r.tenant.slug} assets`);
      assert.equal(r.risk, x.w / Math.max(1, x.assets));
    }
    assert.ok(d.risky[0].risk >= d.risky[1].risk, "riskiest first");
    const [assets] = await env.owner<{ n: number }>("select count(*)::int as n from public.assets where tenant_id = any ($1::uuid[])", [ids("mssp-a", "acme", "acme-eu", "acme-us", "globex")]);
    assert.equal(d.assets.total, assets.n);
    assert.equal(d.hidden, 0);
  });

  test("narrowed to acme (drill-down), a custom range: acme and its sites only; its sites are ranked", async () => {
    const from = new Date(Date.now() - 20 * DAY_MS).toISOString().slice(0, 10);
    const to = new Date(Date.now() - 3 * DAY_MS).toISOString().slice(0, 10);
    const { query, problems } = parseDashboardQuery({ scope: "acme", range: "custom", from, to });
    assert.deepEqual(problems, []);
    const d = await env.as("msspAdmin", (tx) => loadDashboard(tx, query, null));
    assertFigures(d, await direct(ids("acme", "acme-eu", "acme-us"), from, to), "acme subtree, custom");
    assert.equal(d.scope?.slug, "acme");
    assert.equal(d.riskyOf, "children");
    assert.deepEqual(d.risky.map((r) => r.tenant.slug).sort(), ["acme-eu", "acme-us"]);
    for (const s of SEVS.slice(0, 4)) assert.ok(d.sla.find((r) => r.severity === s), `SLA row ${s}`);
    assert.equal(d.sla.find((r) => r.severity === "critical")!.ackTargetMinutes, 15);
  });

  test("a site: its own figures, nothing below it to rank", async () => {
    const { query } = parseDashboardQuery({ scope: "acme-eu", range: "90d" });
    const d = await env.as("msspAdmin", (tx) => loadDashboard(tx, query, null));
    assertFigures(d, await direct(ids("acme-eu"), query.from, query.to), "acme-eu, 90 days");
    assert.equal(d.risky.length, 0);
    assert.deepEqual(d.trail.map((t) => t.slug), ["mssp-a", "acme"]);
  });

  test("the figures follow new alerts and triage at once (served from the rollups)", async () => {
    const { query } = parseDashboardQuery({ range: "7d" });
    const before = await env.as("msspAdmin", (tx) => loadDashboard(tx, query, null));
    await env.owner(`insert into public.alerts (tenant_id, title, severity, source) select $1, 'Fresh', 'critical', 'test' from generate_series(1, 5)`, [env.fx.tenants.globex]);
    await env.owner(`update public.alerts set status = 'acknowledged' where tenant_id = $1 and title = 'Fresh'`, [env.fx.tenants.globex]);
    const d = await env.as("msspAdmin", (tx) => loadDashboard(tx, query, null));
    assert.equal(d.totals.created, before.totals.created + 5);
    assert.equal(d.totals.acknowledged, before.totals.acknowledged + 5);
    assertFigures(d, await direct(ids("mssp-a", "acme", "acme-eu", "acme-us", "globex"), query.from, query.to), "after new alerts");
  });
});

describe("tenant host dashboard", () => {
  test("acme's admin: acme and its sites, equal to direct SQL; another customer's scope is refused with a note", async () => {
    const { query } = parseDashboardQuery({});
    const d = await env.as("acmeAdmin", (tx) => loadDashboard(tx, query, env.fx.tenants.acme), "acme");
    assertFigures(d, await direct(ids("acme", "acme-eu", "acme-us"), query.from, query.to), "acme host");
    assert.deepEqual(d.options.map((o) => o.slug).sort(), ["acme", "acme-eu", "acme-us"]);
    assert.equal(d.top?.slug, "acme");
    const g = await env.as("acmeAdmin", (tx) => loadDashboard(tx, parseDashboardQuery({ scope: "globex" }).query, env.fx.tenants.acme), "acme");
    assert.match(g.problems.join(" "), /No tenant "globex" in your scope/);
    assert.equal(g.totals.created, d.totals.created, "falls back to acme's own scope");
    const text = JSON.stringify(g);
    assert.ok(!text.includes(env.fx.tenants.globex) && !text.includes(env.fx.tenants["other-co"]), "no other customer's id in the data");
  });

  test("a site admin on acme's host sees nothing of acme (RLS), only its site on its own host", async () => {
    const own = await env.as("acmeEuAdmin", (tx) => loadDashboard(tx, parseDashboardQuery({}).query, env.fx.tenants["acme-eu"]), "acme-eu");
    assertFigures(own, await direct(ids("acme-eu"), own.query.from, own.query.to), "acme-eu host");
  });

  test("a viewer reads the alert figures but not collectors or health", async () => {
    const d = await env.as("acmeViewer", (tx) => loadDashboard(tx, parseDashboardQuery({}).query, env.fx.tenants.acme), "acme");
    assert.ok(d.counted > 0);
    assert.equal(d.collectors.allowed, false);
    assert.equal(d.health.allowed, false);
  });
});

describe("URL state", () => {
  const p = (params: Record<string, string>) => parseDashboardQuery(params, "2026-12-01");
  test("presets and custom ranges", () => {
    assert.deepEqual(p({}).query, { range: "30d", from: "2026-11-02", to: "2026-12-01", metric: "created", scope: null });
    assert.equal(p({ range: "7d" }).query.from, "2026-11-25");
    assert.equal(p({ range: "90d" }).query.from, "2026-09-03");
    assert.deepEqual(p({ range: "custom", from: "2026-01-01", to: "2026-01-31" }).query.from, "2026-01-01");
    assert.equal(p({ from: "2026-01-01", to: "2026-01-31" }).query.range, "custom");
    assert.equal(dashboardHref({ range: "custom", from: "2026-01-01", to: "2026-01-31", metric: "open", scope: "acme" }), "/dashboard?scope=acme&range=custom&from=2026-01-01&to=2026-01-31&metric=open");
    assert.equal(dashboardHref({ range: "30d", from: "x", to: "y", metric: "created", scope: null }), "/dashboard");
  });
  test("bad input: a note and the default, never an error", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ range: "custom", from: "2026-02-01", to: "2026-01-01" }, /starts \(2026-02-01\) after it ends \(2026-01-01\)/],
      [{ range: "custom", from: "2024-01-01", to: "2026-01-01" }, new RegExp(`the longest is ${MAX_RANGE_DAYS}`)],
      [{ range: "custom", from: "yesterday", to: "2026-01-01" }, /start day "yesterday": write a date as YYYY-MM-DD/],
      [{ range: "custom", from: "2026-02-30", to: "2026-03-01" }, /not a date/],
      [{ range: "custom", from: "2026-01-01" }, /needs both a start and an end/],
      [{ range: "999d" }, /time range "999d": choose 7d, 30d, 90d or custom/],
      [{ metric: "revenue" }, /metric "revenue": choose one of created, closed, open/],
      [{ scope: "x".repeat(101) }, /scope "x{40}…": at most 100 characters/],
      [{ scope: "acme\u0000" }, /scope "acme": no control characters/],
    ];
    for (const [params, message] of cases) {
      const { query, problems } = p(params);
      assert.match(problems.join(" "), message, JSON.stringify(params));
      assert.ok(query.from <= query.to);
    }
    assert.equal(p({ range: "custom", from: "2026-02-01", to: "2026-01-01" }).query.range, "30d");
    // The refused days come back as typed, for the form to show beside the note; an accepted range has none.
    assert.deepEqual(p({ range: "custom", from: "2026-02-01", to: "2026-01-01" }).typed, { from: "2026-02-01", to: "2026-01-01" });
    assert.deepEqual(p({ range: "custom", from: "yesterday", to: "2026-01-01" }).typed, { from: "yesterday", to: "2026-01-01" });
    assert.equal(p({ range: "custom", from: "2026-01-01", to: "2026-01-31" }).typed, null);
    assert.equal(p({ range: "999d" }).typed, null);
    assert.equal(p({ metric: "revenue" }).query.metric, "created");
    assert.equal(p({ range: "custom", from: "2025-01-01", to: "2026-02-04" }).problems.length, 0, "400 days is allowed");
    // Long junk is cut in the note.
    assert.ok(p({ metric: "x".repeat(500) }).problems[0].length < 200);
  });
});
