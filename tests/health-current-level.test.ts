// Two health signals judged on the present, not on a window that outlives it:
//   - quotas: assets and seats are compared with the latest reading, so a
//     tenant over limits.assets on day 3 that deleted assets on day 4 is not
//     "Down · Assets at 120%" until the 1st (the usage page keeps the month's
//     peak, what the month is billed by);
//   - alert freshness: a silence of 31 days is still a silence (a 30-day
//     window made the signal read "ok" again, announcing a recovery though
//     nothing recovered).
import assert from "node:assert/strict";
import { test } from "node:test";
import { withServiceRole } from "@/lib/db/service-role";
import { measure } from "@/lib/health/measure";
import { alertSignal, computeSignals, quotaSignal } from "@/lib/health/signals";
import { thresholdsOf } from "@/lib/health/thresholds";
import { effectiveConfigsAsService } from "@/lib/settings";
import { loadTenantUsage } from "@/lib/usage/page-data";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();
const DAY = 86_400_000;

async function measured(slug: "acme-us" | "globex", now: Date) {
  const id = env.fx.tenants[slug];
  return withServiceRole("health.evaluate", async (db) => {
    const configs = await effectiveConfigsAsService(db, [id]);
    const m = (await measure(db, [id], configs, now)).get(id)!;
    return { m, t: thresholdsOf(configs.get(id)!) };
  });
}

test("quota: assets over the limit on day 3, back under it on day 4 → not flagged on day 4; the usage page keeps the peak", async () => {
  // A fixed month (the 3rd and 4th are in it whatever day the test runs).
  const now = new Date(Date.UTC(2031, 4, 4, 12));
  for (const [day, assets, seats] of [
    ["2031-05-03", 12_000, 40],
    ["2031-05-04", 5_000, 12],
  ] as const) {
    await env.owner(
      `insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events)
       values ($1, 'day', $2::timestamptz, 'assets_managed', $3, 1), ($1, 'day', $2::timestamptz, 'active_seats', $4, 1)`,
      [env.fx.tenants["acme-us"], `${day}T00:00:00Z`, assets, seats],
    );
  }
  const { m, t } = await measured("acme-us", now);
  assert.deepEqual(
    m.quotas.filter((q) => q.label !== "Items ingested in the last 24 hours").map((q) => [q.label, q.used]),
    [
      ["Assets", 5_000],
      ["Users", 12],
    ],
  );
  const quota = quotaSignal(m, t);
  assert.equal(quota.level, "ok", quota.reason);
  // Day 3 itself: over the limit, down.
  const day3 = await measured("acme-us", new Date(Date.UTC(2031, 4, 3, 12)));
  assert.equal(quotaSignal(day3.m, day3.t).level, "critical");
  assert.match(quotaSignal(day3.m, day3.t).reason, /Assets at 120% of the limit \(12000 of 10000\)/);
  // The usage page still shows the month's peak against the limit.
  const page = await env.as("acmeAdmin", (tx) => loadTenantUsage(tx, "acme-us", now));
  assert.equal(page?.metrics.find((x) => x.metric === "assets_managed")?.limit?.used, 12_000);
  await env.owner("delete from public.usage_rollups where tenant_id = $1", [env.fx.tenants["acme-us"]]);
});

test("alert freshness: 31 days without an alert is still degraded; a tenant with no alert on record is not judged", async () => {
  const last = (await env.owner<{ last: Date }>("select max(detected_at) as last from public.alerts where tenant_id = $1", [env.fx.tenants.globex]))[0].last;
  for (const days of [2, 29, 31, 45, 400]) {
    const now = new Date(new Date(last).getTime() + days * DAY);
    const { m, t } = await measured("globex", now);
    assert.equal(m.lastAlertAt?.getTime(), new Date(last).getTime(), `${days} days: the last alert is still known`);
    const signal = alertSignal(m, t, now);
    assert.equal(signal.level, "warn", `${days} days: ${signal.reason}`);
    assert.equal(signal.reason, `No new alert for ${days} days`);
    assert.notEqual(computeSignals(m, t, now).find((s) => s.kind === "alerts")?.level, "ok");
  }
  await env.owner("delete from public.alerts where tenant_id = $1", [env.fx.tenants.globex]);
  const now = new Date(new Date(last).getTime() + 31 * DAY);
  const { m, t } = await measured("globex", now);
  assert.equal(m.lastAlertAt, null);
  assert.deepEqual(alertSignal(m, t, now), { kind: "alerts", level: "ok", reason: "No alert on record" });
});
