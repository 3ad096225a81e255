// Tenant comparison and benchmarking (issue 13, point 3) on a real Postgres
// with RLS and the real PDP:
//   - every figure of analytics.customer_metrics (the console's /compare and
//     the tenant's /benchmark read nothing else) equals a direct SQL
//     computation over public.alerts and public.assets on the same data,
//     for a range reaching today and one ending in the past;
//   - the console's percentiles equal percentileAmong over those direct
//     figures, and the tenant's benchmark (analytics.peer_benchmark) gives
//     the same percentile;
//   - anonymity: 4 anonymous peers answer nothing but "too few peers", 5
//     a percentile and a band of peers (tests/benchmark-anonymity.test.ts
//     tries to break it); a tenant's benchmark data holds no other
//     tenant's id, slug, name or figure; the function answers only to the
//     roles of benchmark:view on the tenant itself;
//   - RLS: another MSSP's admin cannot compare (or benchmark) a customer of
//     this MSSP: it is simply not there.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { customerFigures, loadComparison } from "@/lib/analytics/compare";
import { COMPARE_METRICS, type CompareMetric } from "@/lib/analytics/compare-metrics";
import { parseCompareQuery, presetRange, type CompareQuery } from "@/lib/analytics/compare-query";
import { loadBenchmark, parseBenchmarkQuery } from "@/lib/analytics/peers-benchmark";
import { sizeBandOf, SIZE_BANDS } from "@/lib/analytics/peers";
import { percentileAmong } from "@/lib/analytics/percentile";
import { type UserName } from "./helpers/fixtures";
import { useFixtureEnv } from "./helpers/fixture-env";
import { withClient } from "./helpers/test-database";

const env = useFixtureEnv();
/** Extra customers of mssp-a (slug -> id), so the MSSP has 6 customers. */
const peers = new Map<string, string>();
const PEER_SLUGS = ["peer-one", "peer-two", "peer-three", "peer-four"];
const NOW = new Date();
const DAY = 86_400_000;

/** A deterministic generator (mulberry32), so a failure replays. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

env.before(async () => {
  await withClient(env.db.url, async (c) => {
    for (const slug of PEER_SLUGS) {
      const { rows } = await c.query<{ id: string }>(
        "insert into public.tenants (parent_id, slug, name, kind) values ($1, $2, $3, 'customer') returning id",
        [env.fx.tenants["mssp-a"], slug, `Peer ${slug}`],
      );
      peers.set(slug, rows[0].id);
    }
    // Assets: a different count per tenant (the fixtures' 2 each, plus some).
    const tenants = [...Object.values(env.fx.tenants), ...peers.values()];
    const random = rng(13);
    for (const [i, t] of tenants.entries()) {
      await c.query(
        "insert into public.assets (tenant_id, hostname) select $1, 'host-' || g from generate_series(1, $2::int) g",
        [t, 3 + i * 7],
      );
      // Alerts over the last 40 days: every severity and status, acknowledged and closed at various speeds.
      const values: unknown[] = [];
      const rows: string[] = [];
      const n = 20 + Math.floor(random() * 40);
      for (let k = 0; k < n; k++) {
        const detected = new Date(NOW.getTime() - random() * 40 * DAY);
        const severity = ["critical", "high", "medium", "low", "info"][Math.floor(random() * 5)];
        const roll = random();
        const status = roll < 0.25 ? "new" : roll < 0.4 ? "acknowledged" : roll < 0.5 ? "in_progress" : roll < 0.9 ? "resolved" : "false_positive";
        const ack = status === "new" ? null : random() < 0.85 ? new Date(Math.min(NOW.getTime(), detected.getTime() + random() * 6 * 3600_000)) : null;
        const closed = status === "resolved" || status === "false_positive";
        const resolved = closed && random() < 0.9 ? new Date(Math.min(NOW.getTime(), (ack ?? detected).getTime() + random() * 3 * DAY)) : null;
        const base = values.length;
        values.push(t, `alert ${k}`, severity, status, detected, ack, resolved, closed ? "done" : null);
        rows.push(`($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, 'test', $${base + 5}, $${base + 6}, $${base + 7}, $${base + 8})`);
      }
      await c.query(
        `insert into public.alerts (tenant_id, title, severity, status, source, detected_at, acknowledged_at, resolved_at, close_reason) values ${rows.join(", ")}`,
        values,
      );
    }
  });
});

const nameOf = (id: string) => [...peers].find(([, v]) => v === id)?.[0] ?? env.fx.slugOf(id);
const ALL_CUSTOMERS = () => [env.fx.tenants.acme, env.fx.tenants.globex, ...peers.values()];

/** The six metrics of one customer (its subtree), straight from the alerts and assets, as docs/console.md defines them. */
async function direct(customerId: string, from: string, to: string): Promise<Record<CompareMetric, number | null>> {
  return withClient(env.db.url, async (c) => {
    const { rows } = await c.query(
      `with sub as (
         select t.id from public.tenants t join public.tenants c on c.id = $1 and t.path operator(extensions.<@) c.path
       ), a as (
         select x.*, (x.detected_at at time zone 'UTC')::date as det_day,
                case when x.status <> 'new' then coalesce(x.acknowledged_at, case when x.status in ('resolved', 'false_positive') then x.resolved_at end) end as ack_at,
                x.status in ('resolved', 'false_positive') as closed
           from public.alerts x where x.tenant_id in (select id from sub)
       ), b as (
         select a.*, greatest(a.det_day, (a.ack_at at time zone 'UTC')::date) as ack_day,
                greatest(a.det_day, (coalesce(a.resolved_at, a.detected_at) at time zone 'UTC')::date) as close_day
           from a
       ), targets(severity, ack_min, res_min) as (values ('critical', 15, 240), ('high', 60, 1440), ('medium', 240, 4320), ('low', 1440, 10080))
       select (select count(*) from public.assets where tenant_id in (select id from sub)) as assets,
              count(*) filter (where det_day between $2 and $3) as alerts,
              count(*) filter (where det_day between $2 and $3 and severity = 'critical') as critical,
              count(*) filter (where ack_at is not null and ack_day between $2 and $3) as acked,
              sum(greatest(0, round(extract(epoch from ack_at - detected_at) * 1000))) filter (where ack_at is not null and ack_day between $2 and $3) as tta,
              count(*) filter (where closed and resolved_at is not null and close_day between $2 and $3) as resolved,
              sum(greatest(0, round(extract(epoch from resolved_at - detected_at) * 1000))) filter (where closed and resolved_at is not null and close_day between $2 and $3) as ttr,
              count(*) filter (where severity <> 'info' and ack_at is not null and ack_day between $2 and $3)
                + count(*) filter (where severity <> 'info' and closed and resolved_at is not null and close_day between $2 and $3) as clocks,
              count(*) filter (where ack_at is not null and ack_day between $2 and $3
                               and extract(epoch from ack_at - detected_at) > (select ack_min from targets g where g.severity = b.severity) * 60)
                + count(*) filter (where closed and resolved_at is not null and close_day between $2 and $3
                               and extract(epoch from resolved_at - detected_at) > (select res_min from targets g where g.severity = b.severity) * 60) as breaches,
              count(*) filter (where det_day <= $3 and (not closed or close_day > $3)) as open_at_end
         from b`,
      [customerId, from, to],
    );
    const r = rows[0];
    const assets = Number(r.assets);
    const n = (x: unknown) => Number(x ?? 0);
    return {
      alerts_per_asset: assets > 0 ? n(r.alerts) / assets : null,
      critical_per_asset: assets > 0 ? n(r.critical) / assets : null,
      mtta_minutes: n(r.acked) > 0 ? n(r.tta) / n(r.acked) / 60000 : null,
      mttr_minutes: n(r.resolved) > 0 ? n(r.ttr) / n(r.resolved) / 60000 : null,
      sla_breach_rate: n(r.clocks) > 0 ? (100 * n(r.breaches)) / n(r.clocks) : null,
      open_per_asset: assets > 0 ? n(r.open_at_end) / assets : null,
    };
  });
}

const close = (a: number | null, b: number | null, what: string) => {
  if (a === null || b === null) return assert.equal(a, b, what);
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
};

const query = (over: Partial<CompareQuery> = {}): CompareQuery => ({ ...parseCompareQuery({}, NOW).query, ...over });
const setIndustry = (slugOrId: string, industry: string) =>
  withClient(env.db.url, (c) =>
    c.query(
      "insert into public.tenant_settings (tenant_id, key, value) values ($1, 'profile.industry', to_jsonb($2::text)) on conflict (tenant_id, key) do update set value = excluded.value",
      [slugOrId, industry],
    ),
  );
const benchmark = (user: UserName, tenantId: string, group: "all" | "industry" | "size", days = 30) =>
  env.as(user, (tx) => loadBenchmark(tx, tenantId, { group, days }, NOW));

describe("figures", () => {
  for (const [name, from, to] of [
    ["the last 30 days", presetRange(30, NOW).from, presetRange(30, NOW).to],
    ["a range ending 10 days ago", new Date(NOW.getTime() - 35 * DAY).toISOString().slice(0, 10), new Date(NOW.getTime() - 10 * DAY).toISOString().slice(0, 10)],
  ] as const) {
    test(`every customer's metrics over ${name} equal direct SQL over the alerts (sites included)`, async () => {
      const figures = await env.as("msspAdmin", (tx) => customerFigures(tx, ALL_CUSTOMERS(), { from, to }));
      assert.equal(figures.size, 6);
      for (const id of ALL_CUSTOMERS()) {
        const want = await direct(id, from, to);
        for (const m of COMPARE_METRICS) close(figures.get(id)!.values[m], want[m], `${nameOf(id)} ${m}`);
      }
      // acme's count includes its two sites' alerts.
      const own = await withClient(env.db.url, async (c) =>
        Number((await c.query("select count(*) from public.alerts where tenant_id = $1 and (detected_at at time zone 'UTC')::date between $2 and $3", [env.fx.tenants.acme, from, to])).rows[0].count),
      );
      assert.ok(figures.get(env.fx.tenants.acme)!.alerts > own, "acme's sites are counted");
    });
  }

  test("the size bands of SQL and TypeScript agree", async () => {
    await withClient(env.db.url, async (c) => {
      for (const n of [0, 1, 49, 50, 249, 250, 999, 1000, 4999, 5000, 100000]) {
        const { rows } = await c.query("select analytics.size_band($1) as band", [n]);
        assert.equal(rows[0].band, sizeBandOf(n), `${n} assets`);
        assert.ok((SIZE_BANDS as readonly string[]).includes(rows[0].band));
      }
    });
  });

  test("the console compares chosen customers, each metric with its percentile among the MSSP's customers", async () => {
    const q = query({ customers: ["acme", "globex", "peer-one"] });
    const data = await env.as("msspAdmin", (tx) => loadComparison(tx, q, NOW));
    assert.equal(data.allowed, true);
    assert.deepEqual(data.rows.map((r) => r.slug).sort(), ["acme", "globex", "peer-one"]);
    assert.equal(data.population, 6);
    const all = new Map(await Promise.all(ALL_CUSTOMERS().map(async (id) => [id, await direct(id, q.range.from, q.range.to)] as const)));
    for (const row of data.rows) {
      const id = row.slug === "acme" ? env.fx.tenants.acme : row.slug === "globex" ? env.fx.tenants.globex : peers.get(row.slug)!;
      for (const m of COMPARE_METRICS) {
        const others = ALL_CUSTOMERS().filter((x) => x !== id).map((x) => all.get(x)![m]);
        assert.equal(row.percentiles[m], percentileAmong(all.get(id)![m], others), `${row.slug} ${m}`);
      }
    }
    // The tenant's benchmark among all customers gives the same percentile as the console's.
    const bench = await benchmark("acmeAdmin", env.fx.tenants.acme, "all");
    assert.ok(bench?.state === "ready");
    const acme = data.rows.find((r) => r.slug === "acme")!;
    for (const m of bench.metrics) {
      if (m.status === "ok") assert.equal(m.percentile, acme.percentiles[m.metric], m.metric);
      close(m.value, acme.values[m.metric], `own ${m.metric}`);
    }
  });

  test("bad URL state: inverted, too long and unparsable ranges, unknown metrics, too many customers are named and ignored", () => {
    const { query: q, problems } = parseCompareQuery(
      { from: "2026-05-10", to: "2026-05-01", m: "alerts_per_asset,bogus", c: Array.from({ length: 12 }, (_, i) => `c${i}`), days: "13" },
      NOW,
    );
    assert.equal(q.range.days, 30);
    assert.deepEqual(q.metrics, ["alerts_per_asset"]);
    assert.equal(q.customers.length, 10);
    assert.ok(problems.some((p) => /ends before it starts/.test(p)), problems.join("\n"));
    assert.ok(problems.some((p) => /metric "bogus"/.test(p)));
    assert.ok(problems.some((p) => /at most 10 customers/.test(p)));
    assert.ok(problems.some((p) => /range "13"/.test(p)));
    assert.ok(parseCompareQuery({ from: "2024-01-01", to: "2026-01-01" }, NOW).problems.some((p) => /too long/.test(p)));
    assert.ok(parseCompareQuery({ from: "yesterday" }, NOW).problems.some((p) => /YYYY-MM-DD/.test(p)));
    // Refused days come back as typed (the form shows them again); accepted ones do not.
    assert.deepEqual(parseCompareQuery({ from: "2026-11-20", to: "2026-11-01" }, NOW).typed, { from: "2026-11-20", to: "2026-11-01" });
    assert.equal(parseCompareQuery({ from: "2026-11-01", to: "2026-11-20" }, NOW).typed, null);
    assert.ok(parseCompareQuery({ group: "plan:nope" }, NOW).problems.some((p) => /peer group/.test(p)));
    // A group replaces ticked customers; the page says so from loadComparison's ticksIgnored (only a group it
    // uses replaces them: tests/analytics-compare-notes.test.ts), not from the parser.
    const grouped = parseCompareQuery({ group: "size:under_50", c: ["acme", "globex"] }, NOW);
    assert.equal(grouped.query.group?.kind, "size");
    assert.deepEqual(grouped.query.customers, ["acme", "globex"]);
    assert.deepEqual(parseCompareQuery({ group: "size:under_50" }, NOW).problems, []);
    assert.ok(parseBenchmarkQuery({ group: "everyone" }).problems.length === 1);
  });

  test("a plan group that is not one of the listed plans is ignored, and the page data says so", async () => {
    const unknown = await env.as("msspAdmin", (tx) => loadComparison(tx, query({ group: { kind: "plan", planId: "00000000-0000-4000-8000-00000000abcd" } }), NOW));
    assert.equal(unknown.groupIgnored, true);
    assert.equal(unknown.group, null, "no group named after an unknown plan");
    assert.deepEqual(unknown.rows, []);
    // A plan of the MSSP's that Acme is on stays a group, named after the plan.
    const [plan] = await env.owner<{ id: string }>(
      `insert into public.billing_plans (tenant_id, name, currency) values ($1, 'Compare Gold', 'EUR') returning id`,
      [env.fx.tenants["mssp-a"]],
    );
    await env.owner(`insert into public.billing_plan_assignments (tenant_id, plan_tenant_id, plan_id, starts_on) values ($1, $2, $3, '2020-01-01')`, [
      env.fx.tenants.acme,
      env.fx.tenants["mssp-a"],
      plan.id,
    ]);
    try {
      const data = await env.as("msspAdmin", (tx) => loadComparison(tx, query({ group: { kind: "plan", planId: plan.id } }), NOW));
      assert.equal(data.groupIgnored, false);
      assert.equal(data.group?.label, "Plan: Compare Gold");
      assert.deepEqual(data.rows.map((r) => r.slug), ["acme"]);
    } finally {
      await env.owner(`delete from public.billing_plan_assignments where plan_id = $1`, [plan.id]);
      await env.owner(`delete from public.billing_plans where id = $1`, [plan.id]);
    }
    // A size group is never "ignored" for having no plan.
    const size = await env.as("msspAdmin", (tx) => loadComparison(tx, query({ group: { kind: "size", band: "under_50" } }), NOW));
    assert.equal(size.groupIgnored, false);
  });

  test("the database refuses a bad range or group itself", async () => {
    await withClient(env.db.url, async (c) => {
      await assert.rejects(c.query("select * from analytics.peer_benchmark($1, 'all', '2026-05-10', '2026-05-01')", [env.fx.tenants.acme]), /range/);
      await assert.rejects(c.query("select * from analytics.peer_benchmark($1, 'everyone', '2026-05-01', '2026-05-10')", [env.fx.tenants.acme]), /peer group/);
    });
  });
});

describe("anonymity", () => {
  test("4 anonymous peers show nothing but the reason; 5, a percentile", async () => {
    for (const id of [env.fx.tenants.acme, ...["peer-one", "peer-two", "peer-three", "peer-four"].map((s) => peers.get(s)!)]) await setIndustry(id, "healthcare");
    const four = await benchmark("acmeAdmin", env.fx.tenants.acme, "industry");
    assert.ok(four?.state === "ready");
    assert.equal(four.tooFewPeers, true);
    assert.deepEqual(four.metrics, [], "nothing, not even the tenant's own values");
    // The database itself answers no percentile and no size.
    const raw = await env.as("acmeAdmin", async (tx) =>
      (await tx.client.query("select * from analytics.peer_benchmark($1, 'industry', current_date - 29, current_date + 1)", [env.fx.tenants.acme])).rows,
    );
    assert.equal(raw.length, 6);
    for (const r of raw) assert.deepEqual([r.percentile, r.group_size], [null, null], r.metric);
    assert.ok(raw.every((r) => r.status === "too_few_peers" || r.status === "no_value"));

    await setIndustry(env.fx.tenants.globex, "healthcare");
    const five = await benchmark("acmeAdmin", env.fx.tenants.acme, "industry");
    assert.ok(five?.state === "ready");
    assert.equal(five.tooFewPeers, false);
    const ok = five.metrics.filter((m) => m.status === "ok");
    assert.ok(ok.length >= 3, JSON.stringify(five.metrics));
    for (const m of ok) {
      assert.equal(m.peersBand, "5-9", "a band, never the count");
      assert.ok(m.percentile !== null && m.percentile >= 0 && m.percentile <= 100);
    }
    // Equal to the percentile among the same five, computed directly.
    const q = presetRange(30, NOW);
    const group = [env.fx.tenants.acme, env.fx.tenants.globex, ...["peer-one", "peer-two", "peer-three", "peer-four"].map((s) => peers.get(s)!)];
    const values = new Map(await Promise.all(group.map(async (id) => [id, await direct(id, q.from, q.to)] as const)));
    for (const m of ok) {
      const others = group.filter((x) => x !== env.fx.tenants.acme).map((x) => values.get(x)![m.metric]);
      assert.equal(m.percentile, percentileAmong(values.get(env.fx.tenants.acme)![m.metric], others), m.metric);
    }
  });

  test("the tenant's benchmark page data holds no other tenant's id, slug, name or figure", async () => {
    const data = await benchmark("acmeAdmin", env.fx.tenants.acme, "all");
    assert.ok(data?.state === "ready" && data.metrics.some((m) => m.status === "ok"));
    const text = JSON.stringify(data);
    const { rows: others } = await withClient(env.db.url, (c) => c.query<{ id: string; slug: string; name: string }>("select id, slug, name from public.tenants where id <> $1", [env.fx.tenants.acme]));
    for (const o of others) {
      assert.ok(!text.includes(o.id), `id of ${o.slug}`);
      assert.ok(!text.includes(`"${o.slug}"`) && !text.includes(o.name), `name of ${o.slug}`);
    }
    const own = new Set(data.metrics.map((m) => m.value));
    const q = presetRange(30, NOW);
    for (const id of ALL_CUSTOMERS().filter((x) => x !== env.fx.tenants.acme)) {
      for (const [m, v] of Object.entries(await direct(id, q.from, q.to))) {
        if (v === null || own.has(v) || Number.isInteger(v)) continue;
        assert.ok(!text.includes(String(v)), `${nameOf(id)}'s ${m} (${v})`);
      }
    }
  });

  test("only the roles of benchmark:view on the tenant get an answer: an analyst, a viewer, another customer's admin get nothing", async () => {
    const ask = (user: UserName, tenant: string) =>
      env.as(user, async (tx) => (await tx.client.query("select * from analytics.peer_benchmark($1, 'all', current_date - 29, current_date + 1)", [tenant])).rows.length);
    assert.equal(await ask("acmeAdmin", env.fx.tenants.acme), 6);
    assert.equal(await ask("msspAnalyst", env.fx.tenants.acme), 6);
    assert.equal(await ask("acmeAnalyst", env.fx.tenants.acme), 0);
    assert.equal(await ask("acmeViewer", env.fx.tenants.acme), 0);
    assert.equal(await ask("globexAdmin", env.fx.tenants.acme), 0);
    assert.equal(await ask("msspBAdmin", env.fx.tenants.acme), 0);
    assert.equal(await ask("acmeEuAdmin", env.fx.tenants.acme), 0);
    // And the PDP says so on the page: the analyst gets the not-allowed state, no numbers.
    assert.deepEqual(await benchmark("acmeAnalyst", env.fx.tenants.acme, "all"), { state: "not-allowed", tenantName: "Tenant acme" });
  });
});

describe("RLS", () => {
  test("another MSSP's admin cannot compare a customer of this MSSP: it is not there", async () => {
    const data = await env.as("msspBAdmin", (tx) => loadComparison(tx, query({ customers: ["acme", "globex", "other-co"] }), NOW));
    assert.equal(data.allowed, true);
    assert.deepEqual(data.rows.map((r) => r.slug), ["other-co"]);
    assert.equal(data.missing, 2);
    assert.equal(data.population, 1);
    assert.ok(!JSON.stringify(data).includes("Tenant acme"));
    // The SQL function under its RLS returns no row for them either.
    const rows = await env.as("msspBAdmin", (tx) => customerFigures(tx, [env.fx.tenants.acme, env.fx.tenants.globex], presetRange(30, NOW)));
    assert.equal(rows.size, 0);
  });

  test("a tenant admin has no console comparison", async () => {
    const data = await env.as("acmeAdmin", (tx) => loadComparison(tx, query({ customers: ["acme", "globex"] }), NOW));
    assert.equal(data.allowed, false);
    assert.deepEqual(data.rows, []);
  });
});
