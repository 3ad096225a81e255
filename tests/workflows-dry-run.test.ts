// The workflows dry run's read of the newest alerts (lib/rules/dry-run.ts recentAlerts): its two
// plans, one walk of every alert's time index (the MSSP's own host) and each tenant's newest alerts
// (a customer and its sites), give exactly the owner's answer, the newest 5,000 (+1) alerts detected
// in the 7 days of the tenant and below, newest first, with each one's asset criticality, and never
// another MSSP's alert; the page's choice of plan; and the dry run's counts over a truncated window.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createRule, dryRun, setRuleEnabled } from "@/lib/rules";
import { DRY_RUN_DAYS, DRY_RUN_MAX_ALERTS, recentAlerts } from "@/lib/rules/dry-run";
import { useFixtureEnv } from "./helpers/fixture-env";
import { startScopedPdp } from "./helpers/scoped-pdp";
import { type UserName } from "./helpers/fixtures";
import { withClient } from "./helpers/test-database";

const env = useFixtureEnv();
/** Customers added under mssp-a, so that its subtree is past the by-tenant read's 32 tenants. */
const EXTRA = 40;
const now = new Date();
const since = new Date(now.getTime() - DRY_RUN_DAYS * 86_400_000);


/** The owner's answer: the newest `limit` alerts of the root's subtree detected in [since, now]. */
const expected = (root: string, limit: number) =>
  env.owner<{ id: string; tenant_id: string; asset_criticality: string | null }>(
    `select a.id, a.tenant_id, s.criticality as asset_criticality
       from public.alerts a
       join public.tenants t on t.id = a.tenant_id
       join public.tenants r on r.id = $1 and t.path operator(extensions.<@) r.path
       left join public.assets s on s.tenant_id = a.tenant_id and s.id = a.asset_id
      where a.detected_at >= $2 and a.detected_at <= $3
      order by a.detected_at desc, a.id desc
      limit $4`,
    [root, since, now, limit],
  );

env.before(async () => {
  await withClient(env.db.url, async (c) => {
    // 40 customers under mssp-a, each with an asset of each criticality, and 6,400 alerts over
    // 8 days spread across them (some older than the window, equal times across tenants, some with
    // an asset), so that the newest 5,001 cut through every tenant's alerts.
    await c.query(
      `insert into public.tenants (parent_id, slug, name, kind)
       select $1, 'dry-' || lpad(i::text, 3, '0'), 'Dry run customer ' || i, 'customer' from generate_series(1, $2) i`,
      [env.fx.tenants["mssp-a"], EXTRA],
    );
    await c.query(
      `insert into public.assets (tenant_id, external_id, hostname, kind, criticality)
       select t.id, 'dry-asset-' || c, t.slug || '-' || c, 'server', c
         from public.tenants t, unnest(array['critical', 'high', 'medium', 'low']) c
        where t.slug like 'dry-%'`,
    );
    await c.query(
      `insert into public.alerts (tenant_id, title, severity, source, hostname, asset_id, detected_at)
       select t.id, 'dry alert ' || i, (array['critical', 'high', 'medium', 'low', 'info'])[1 + i % 5], 'crowdstrike', 'prod-' || i,
              case when i % 3 = 0 then (select s.id from public.assets s where s.tenant_id = t.id order by s.external_id limit 1 offset (i / 3) % 4) end,
              now() - make_interval(secs => (i / 2) * 108)
         from generate_series(1, 6400) i
         join lateral (select id from public.tenants where slug = 'dry-' || lpad((1 + i % ${EXTRA})::text, 3, '0')) t on true`,
    );
    // Acme and its sites: 60 alerts in the window, 10 before it.
    await c.query(
      `insert into public.alerts (tenant_id, title, severity, source, detected_at)
       select (array[$1, $2, $3]::uuid[])[1 + i % 3], 'acme dry ' || i, 'high', 'crowdstrike', now() - make_interval(hours => i * 2)
         from generate_series(0, 69) i`,
      [env.fx.tenants.acme, env.fx.tenants["acme-eu"], env.fx.tenants["acme-us"]],
    );
    // Another MSSP's alerts, newer than any of mssp-a's: never in mssp-a's answer.
    await c.query(
      `insert into public.alerts (tenant_id, title, severity, source, detected_at)
       select $1, 'other alert ' || i, 'critical', 'crowdstrike', now() - make_interval(secs => i) from generate_series(1, 50) i`,
      [env.fx.tenants["other-co"]],
    );
  });
});

describe("the dry run's newest alerts", () => {
  test("the MSSP's own host: both plans give the owner's newest 5,001 (asset criticality included), none of another MSSP's", async () => {
    const want = await expected(env.fx.tenants["mssp-a"], DRY_RUN_MAX_ALERTS + 1);
    assert.equal(want.length, DRY_RUN_MAX_ALERTS + 1, "the window holds more than the dry run reads");
    for (const plan of ["walk", "by-tenant", undefined] as const) {
      const got = await env.as("msspAdmin", (tx) => recentAlerts(tx, env.fx.tenants["mssp-a"], since, now, DRY_RUN_MAX_ALERTS + 1, plan), "mssp-a");
      assert.deepEqual(
        got.map((r) => [r.id, r.tenant_id, r.asset_criticality]),
        want.map((r) => [r.id, r.tenant_id, r.asset_criticality]),
        `plan ${plan ?? "chosen"}`,
      );
      assert.ok(!got.some((r) => r.tenant_id === env.fx.tenants["other-co"]), "another MSSP's alerts are not read");
    }
    assert.ok(want.some((r) => r.asset_criticality !== null), "some have an asset");
  });

  test("a customer and its sites: both plans give the owner's answer; a customer admin's walk sees only its own tenants", async () => {
    const want = await expected(env.fx.tenants.acme, 1000);
    assert.ok(want.length >= 60, `${want.length}`);
    for (const plan of ["walk", "by-tenant", undefined] as const) {
      const got = await env.as("acmeAdmin", (tx) => recentAlerts(tx, env.fx.tenants.acme, since, now, 1000, plan), "acme");
      assert.deepEqual(got.map((r) => r.id), want.map((r) => r.id), `plan ${plan ?? "chosen"}`);
    }
    // Asked for mssp-a's subtree, Acme's admin gets Acme's alerts only (RLS), whichever the plan.
    const acmeIds = new Set(want.map((r) => r.id));
    for (const plan of ["walk", "by-tenant"] as const) {
      const got = await env.as("acmeAdmin", (tx) => recentAlerts(tx, env.fx.tenants["mssp-a"], since, now, 1000, plan), "acme");
      assert.ok(got.every((r) => acmeIds.has(r.id)), `plan ${plan}`);
    }
  });

  test("alerts of a tenant whose policy denies alerts:read are neither counted nor sampled", async () => {
    const denying = await startScopedPdp(env.db.url, env.fx, {
      denies: [{ tenant: "acme-eu", name: "nobody-reads-acme-eu-alerts", actions: ["alerts:read"], derivedRoles: ["mssp_admin", "tenant_admin"] }],
    });
    const rule = await env.as(
      "acmeAdmin",
      (tx) =>
        createRule(tx, {
          tenantId: env.fx.tenants.acme,
          name: "Every high alert",
          position: 1,
          enabled: true,
          definition: { match: "all", conditions: [{ field: "severity", op: "at_least", value: "high" }], actions: { assignTo: env.fx.users.acmeAdmin, notify: [] } },
        }),
      "acme",
    );
    const matchedBy = async () => {
      const result = await env.as("acmeAdmin", (tx) => dryRun(tx, env.fx.tenants.acme, now), "acme");
      return result.rules.find((r) => r.rule.id === rule.id)!;
    };
    const open = await matchedBy();
    assert.ok(open.samples.length > 0);
    process.env.CERBOS_URL = denying.url;
    try {
      const hidden = await matchedBy();
      const [{ n }] = await env.owner<{ n: number }>(
        "select count(*)::int as n from public.alerts where tenant_id = $1 and detected_at >= $2 and detected_at <= $3",
        [env.fx.tenants["acme-eu"], since, now],
      );
      assert.ok(n > 0, "acme-eu has alerts in the window");
      assert.equal(hidden.matched, open.matched - n, "acme-eu's alerts are not counted");
      const [{ hits }] = await env.owner<{ hits: number }>("select count(*)::int as hits from public.alerts where id = any($1::uuid[]) and tenant_id = $2", [hidden.samples.map((x) => x.id), env.fx.tenants["acme-eu"]]);
      assert.equal(hits, 0, "nor sampled");
    } finally {
      process.env.CERBOS_URL = env.pdp.url;
      await denying.stop();
      await env.as("acmeAdmin", (tx) => setRuleEnabled(tx, env.fx.tenants.acme, rule.id, false), "acme");
    }
  });

  test("the dry run over the truncated window: counts per rule equal the owner's over the newest 5,000", async () => {
    const rule = await env.as(
      "msspAdmin",
      (tx) =>
        createRule(tx, {
          tenantId: env.fx.tenants["mssp-a"],
          name: "Critical servers",
          position: 1,
          enabled: false,
          definition: {
            match: "all",
            conditions: [
              { field: "severity", op: "at_least", value: "high" },
              { field: "asset_criticality", op: "is", value: "critical" },
            ],
            actions: { assignTo: env.fx.users.msspAdmin, notify: [] },
          },
        }),
      "mssp-a",
    );
    await env.as("msspAdmin", (tx) => setRuleEnabled(tx, env.fx.tenants["mssp-a"], rule.id, true), "mssp-a");
    const result = await env.as("msspAdmin", (tx) => dryRun(tx, env.fx.tenants["mssp-a"], now), "mssp-a");
    assert.equal(result.alertsConsidered, DRY_RUN_MAX_ALERTS);
    assert.equal(result.truncated, true);
    const newest = (await expected(env.fx.tenants["mssp-a"], DRY_RUN_MAX_ALERTS)).map((r) => r.id);
    const [{ n }] = await env.owner<{ n: number }>(
      `select count(*)::int as n from public.alerts a join public.assets s on s.tenant_id = a.tenant_id and s.id = a.asset_id
        where a.id = any ($1::uuid[]) and a.severity in ('critical', 'high') and s.criticality = 'critical'`,
      [newest],
    );
    assert.ok(n > 0, "the rule matches some");
    const mine = result.rules.find((r) => r.rule.id === rule.id)!;
    assert.equal(mine.matched, n);
    assert.ok(mine.samples.every((s) => newest.includes(s.id)));
  });
});
