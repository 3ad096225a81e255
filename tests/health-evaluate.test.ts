// Health evaluation (lib/health, migration 20261201014500) on a real Postgres
// with real RLS, the clock injected:
//   - a collector going silent turns its tenant healthy → degraded → down,
//     and a heartbeat brings it back to healthy; each change is one
//     transition row, with the reason in words;
//   - re-running an evaluation at the same time records nothing more
//     (idempotent), and each transition queues its notifications once: one
//     email per default address (lib/mail outbox), one delivery per default
//     webhook (lib/notify), none for the first evaluation;
//   - thresholds come from the settings (health.*), inherited from the MSSP;
//   - RLS: a tenant admin reads only its own subtree's health, another MSSP
//     nothing, a viewer nothing; nobody writes through authenticated.
import assert from "node:assert/strict";
import { before, beforeEach, describe, test } from "node:test";
import { evaluateHealth } from "@/lib/health/evaluate";
import { createChannel } from "@/lib/notify";
import { reset, take } from "@/lib/ratelimit";
import { setSettingValue } from "@/lib/settings";
import { useFixtureEnv } from "./helpers/fixture-env";
import { type UserName } from "./helpers/fixtures";
import { assertRefused, attempt } from "./helpers/sql";

const env = useFixtureEnv();
const MIN = 60_000;
// A fixed clock, after the fixtures' alerts (detected now()), so their freshness is fine.
const T0 = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3_600_000);
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);

const stateOf = async (slug: "acme" | "globex") =>
  (await env.owner<{ state: string }>("select state from public.tenant_health where tenant_id = $1", [env.fx.tenants[slug]]))[0]?.state ?? null;
const transitions = (slug: "acme" | "globex") =>
  env.owner<{ from_state: string | null; to_state: string; reasons: { kind: string; level: string; reason: string }[]; notified: number }>(
    "select from_state, to_state, reasons, notified from public.tenant_health_transitions where tenant_id = $1 order by id",
    [env.fx.tenants[slug]],
  );
const healthMails = async () => Number((await env.owner<{ n: string }>("select count(*)::text as n from mail.outbox where template = 'health.changed'"))[0].n);
const healthDeliveries = async () => Number((await env.owner<{ n: string }>("select count(*)::text as n from public.notification_deliveries where reason = 'health'"))[0].n);

describe("health evaluation", () => {
  beforeEach(async () => {
    await env.owner("delete from public.tenant_health_transitions; delete from public.tenant_health; delete from public.collectors; delete from public.tenant_settings; delete from mail.outbox; delete from public.notification_deliveries");
  });

  test("silent collector → degraded → down; heartbeat → healthy; once per transition", async () => {
    await env.owner("insert into public.collectors (tenant_id, name, last_heartbeat_at) values ($1, 'edr-east', $2)", [env.fx.tenants.acme, at(0)]);
    // A real webhook channel (sealed secret) made the way the Workflows page makes one.
    const { channel } = await env.as("acmeAdmin", (tx) => createChannel(tx, { tenantId: env.fx.tenants.acme, name: `ops hook ${Date.now()}`, kind: "webhook", url: "https://hooks.example.com/health" }));
    await env.as("acmeAdmin", async (tx) => {
      await setSettingValue(tx, { tenantId: env.fx.tenants.acme, key: "notifications.emails", raw: "soc@acme.example.test\nops@acme.example.test" });
      await setSettingValue(tx, { tenantId: env.fx.tenants.acme, key: "notifications.webhook_ids", raw: channel.id });
    });

    const first = await evaluateHealth({ now: at(1) });
    assert.equal(await stateOf("acme"), "healthy");
    assert.equal(await stateOf("globex"), "healthy");
    assert.ok(first.tenants >= 5, "every active customer and site, not the MSSPs");
    assert.equal(first.notified, 0, "a first evaluation announces nothing");

    await evaluateHealth({ now: at(15) });
    assert.equal(await stateOf("acme"), "degraded");
    let acme = await transitions("acme");
    assert.deepEqual(acme.map((t) => [t.from_state, t.to_state]), [[null, "healthy"], ["healthy", "degraded"]]);
    assert.equal(acme[1].reasons[0].reason, "Collector 'edr-east' silent for 15 min");
    assert.equal(acme[1].notified, 3, "two emails and one webhook");
    assert.equal(await healthMails(), 2);
    assert.equal(await healthDeliveries(), 1);

    // The same evaluation again (the cron slot run twice), and one a minute later: nothing new.
    await evaluateHealth({ now: at(15) });
    await evaluateHealth({ now: at(16) });
    assert.equal((await transitions("acme")).length, 2);
    assert.equal(await healthMails(), 2);
    assert.equal(await healthDeliveries(), 1);
    const since = (await env.owner<{ since: Date; evaluated_at: Date }>("select since, evaluated_at from public.tenant_health where tenant_id = $1", [env.fx.tenants.acme]))[0];
    assert.equal(since.since.getTime(), at(15).getTime(), "the state holds since it began");
    assert.equal(since.evaluated_at.getTime(), at(16).getTime());

    await evaluateHealth({ now: at(61) });
    assert.equal(await stateOf("acme"), "down");

    await env.owner("update public.collectors set last_heartbeat_at = $2 where tenant_id = $1", [env.fx.tenants.acme, at(70)]);
    await evaluateHealth({ now: at(71) });
    assert.equal(await stateOf("acme"), "healthy");
    acme = await transitions("acme");
    assert.deepEqual(acme.map((t) => t.to_state), ["healthy", "degraded", "down", "healthy"]);
    assert.deepEqual(acme[3].reasons, [], "recovered: no reason left");
    assert.equal(await healthMails(), 6, "two emails for each of the three changes");
    assert.equal(await healthDeliveries(), 3);
    const payload = (await env.owner<{ payload: { type: string; health: { from: string; to: string } } }>(
      "select payload from public.notification_deliveries where reason = 'health' order by created_at desc limit 1",
    ))[0].payload;
    assert.equal(payload.type, "tenant.health_changed");
    assert.deepEqual([payload.health.from, payload.health.to], ["down", "healthy"]);
    // Globex has no collector: never changed.
    assert.equal((await transitions("globex")).length, 1);
  });

  test("a site of a suspended customer is not evaluated: no false 'down', no alarm to the suspended customer", async () => {
    const siteState = async () => (await env.owner<{ state: string }>("select state from public.tenant_health where tenant_id = $1", [env.fx.tenants["acme-eu"]]))[0]?.state ?? null;
    await env.owner("insert into public.collectors (tenant_id, name, last_heartbeat_at) values ($1, 'edr-eu', $2)", [env.fx.tenants["acme-eu"], at(0)]);
    await evaluateHealth({ now: at(1) });
    assert.equal(await siteState(), "healthy");
    await env.owner("update public.tenants set status = 'suspended' where id = $1", [env.fx.tenants.acme]);
    try {
      // Its collectors go quiet (the keys are refused): two hours later nothing is judged.
      const stats = await evaluateHealth({ now: at(120) });
      assert.equal(await siteState(), "healthy", "not marked down");
      assert.equal(await healthMails() + (await healthDeliveries()), 0, "nothing sent");
      const [{ n }] = await env.owner<{ n: number }>("select count(*)::int as n from public.tenants where kind <> 'mssp' and status = 'active'");
      assert.ok(stats.tenants <= n - 2, "acme-eu and acme-us, below the suspended acme, are left out");
    } finally {
      await env.owner("update public.tenants set status = 'active' where id = $1", [env.fx.tenants.acme]);
    }
  });

  test("thresholds come from the health.* settings, inherited from the MSSP", async () => {
    await env.owner("insert into public.collectors (tenant_id, name, last_heartbeat_at) values ($1, 'edr-east', $2)", [env.fx.tenants.acme, at(0)]);
    await env.as("msspAdmin", (tx) => setSettingValue(tx, { tenantId: env.fx.tenants["mssp-a"], key: "health.collector_silent_warn_minutes", raw: "30" }));
    await evaluateHealth({ now: at(20) });
    assert.equal(await stateOf("acme"), "healthy", "20 min silent is below the MSSP's 30");
    await env.as("acmeAdmin", (tx) => setSettingValue(tx, { tenantId: env.fx.tenants.acme, key: "health.collector_silent_warn_minutes", raw: "5" }));
    await evaluateHealth({ now: at(20) });
    assert.equal(await stateOf("acme"), "degraded", "acme's own 5 min applies");
  });

  test("signals from the audit trail: sign-in failures and denied attempts in the last hour", async () => {
    await env.owner(
      `insert into public.audit_log (tenant_id, action, outcome, details, occurred_at)
       select $1, 'alerts.read', 'denied', '{}'::jsonb, $2 from generate_series(1, 5)`,
      [env.fx.tenants.globex, new Date()],
    );
    await evaluateHealth({ now: new Date(Date.now() + MIN) });
    assert.equal(await stateOf("globex"), "degraded");
    const reasons = (await transitions("globex"))[0].reasons.map((r) => r.reason);
    assert.deepEqual(reasons, ["5 denied attempts in the last hour"]);
    // An hour later they no longer count.
    await evaluateHealth({ now: new Date(Date.now() + 62 * MIN) });
    assert.equal(await stateOf("globex"), "healthy");
  });

  test("signals from jobs, API refusals and quotas, each with its reason", async () => {
    const now = new Date(Date.now() + MIN);
    // acme-eu: a failed job in the last hour (degraded: health.job_failures_per_hour is 1).
    await env.owner("insert into public.jobs (tenant_id, kind, status, finished_at, last_error) values ($1, 'keys.rotate', 'failed', now(), 'boom')", [env.fx.tenants["acme-eu"]]);
    // acme-us: 10 admitted API requests this hour, 30 refused (75%: degraded, below the 80% of down); 5 more
    // admitted were refused after admission (the PDP): counted once, among the admitted (15 + 30 = 45).
    await env.owner("insert into usage.api_request_counts (tenant_id, minute, requests) values ($1, date_trunc('minute', now()), 15)", [env.fx.tenants["acme-us"]]);
    await env.owner(
      `insert into public.audit_log (tenant_id, action, outcome, details, occurred_at)
       select $1, 'api.request', 'denied', '{"reason":"scope","status":403,"admitted":true}'::jsonb, now() from generate_series(1, 5)`,
      [env.fx.tenants["acme-us"]],
    );
    await env.owner(
      `insert into public.audit_log (tenant_id, action, outcome, details, occurred_at)
       select $1, 'api.request', 'denied', '{"reason":"scope","status":403}'::jsonb, now() from generate_series(1, 30)`,
      [env.fx.tenants["acme-us"]],
    );
    // Capacity refusals are refusals, not access-control failures: they count in the API's rate, not as denied attempts.
    await env.owner(
      `insert into public.audit_log (tenant_id, action, outcome, details, occurred_at)
       select $1, 'api.request', 'denied', jsonb_build_object('reason', r, 'status', 429), now() from unnest(array['daily_quota', 'daily_quota', 'daily_quota', 'concurrency', 'concurrency', 'concurrency']) r`,
      [env.fx.tenants["acme-eu"]],
    );
    // acme-eu also ingested 100,000 alerts on one day this month: the quota is a rolling 24-hour bucket,
    // and its bucket is full, so that day is no signal. globex's bucket has 90,000 of its 100,000 items taken
    // (refilling since: degraded, with the items in the bucket's words).
    await env.owner(
      `insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events)
       values ($1, 'day', date_trunc('day', now() at time zone 'UTC') at time zone 'UTC', 'alerts_ingested', 100000, 1)`,
      [env.fx.tenants["acme-eu"]],
    );
    const globexBucket = `api:ingest:${env.fx.tenants.globex}`;
    await take(globexBucket, { capacity: 100_000, refillPerSecond: 100_000 / 86_400 }, { cost: 90_000 });
    // other-co: assets at 100% of limits.assets this month (down); acme at 85% (degraded).
    for (const [slug, used] of [["other-co", 10_000], ["acme", 8_500]] as const)
      await env.owner(
        `insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events)
         values ($1, 'day', date_trunc('day', now() at time zone 'UTC') at time zone 'UTC', 'assets_managed', $2, 1)
         on conflict (tenant_id, grain, metric, period_start) do update set quantity = excluded.quantity`,
        [env.fx.tenants[slug], used],
      );
    await evaluateHealth({ now });
    const reasons = async (slug: "acme-eu" | "acme-us" | "other-co" | "acme" | "globex") =>
      (await env.owner<{ state: string; signals: { kind: string; level: string; reason: string }[] }>("select state, signals from public.tenant_health where tenant_id = $1", [env.fx.tenants[slug]]))
        .map((r) => [r.state, ...r.signals.filter((x) => x.level !== "ok").map((x) => x.reason)]);
    assert.deepEqual(await reasons("acme-eu"), [["degraded", "1 job failed in the last hour"]]);
    // A refusal for a missing scope is also an access-control failure (OWASP): it counts as a denied attempt too.
    assert.deepEqual(await reasons("acme-us"), [["degraded", "77% of API requests refused in the last hour (35 of 45)", "35 denied attempts in the last hour"]]);
    assert.deepEqual(await reasons("other-co"), [["down", "Assets at 100% of the limit (10000 of 10000)"]]);
    assert.deepEqual(await reasons("acme"), [["degraded", "Assets at 85% of the limit (8500 of 10000)"]]);
    const [globex] = await reasons("globex");
    assert.equal(globex[0], "degraded");
    assert.match(globex[1], /^Items ingested in the last 24 hours at 89% of the limit \(899\d\d of 100000\)$/);
    await reset(globexBucket);
    await env.owner("delete from public.jobs where kind = 'keys.rotate' and last_error = 'boom'; delete from usage.api_request_counts; delete from public.usage_rollups");
  });
});

describe("who reads health (RLS)", () => {
  before(async () => {
    await env.owner("delete from public.tenant_health_transitions; delete from public.tenant_health; delete from public.collectors");
    await evaluateHealth({ now: at(1) });
  });
  const seen = (user: UserName, table: string) =>
    env.as(user, async (tx) => {
      const { rows } = await tx.client.query<{ tenant_id: string }>(`select distinct tenant_id from public.${table}`);
      return rows.map((r) => env.fx.slugOf(r.tenant_id)).sort();
    });

  for (const table of ["tenant_health", "tenant_health_transitions"]) {
    test(`${table}: each sees its own subtree, no more`, async () => {
      assert.deepEqual(await seen("msspAdmin", table), ["acme", "acme-eu", "acme-us", "globex"]);
      assert.deepEqual(await seen("msspAnalyst", table), ["acme", "acme-eu", "acme-us", "globex"]);
      assert.deepEqual(await seen("acmeAdmin", table), ["acme", "acme-eu", "acme-us"]);
      assert.deepEqual(await seen("acmeAnalyst", table), ["acme", "acme-eu", "acme-us"]);
      assert.deepEqual(await seen("acmeEuAdmin", table), ["acme-eu"]);
      assert.deepEqual(await seen("globexAdmin", table), ["globex"]);
      assert.deepEqual(await seen("acmeViewer", table), [], "viewers do not read health");
      assert.deepEqual(await seen("msspBAdmin", table), ["other-co"], "another MSSP: only its own customer");
      assert.deepEqual(await seen("noMemberships", table), []);
    });
  }

  test("nobody writes through authenticated, the MSSP admin included", async () => {
    await env.as("msspAdmin", async (tx) => {
      await tx.client.query("savepoint s");
      assertRefused(await attempt(tx.client, "insert into public.tenant_health (tenant_id, state, since, evaluated_at) values ($1, 'down', now(), now())", [env.fx.tenants.acme]));
      await tx.client.query("rollback to savepoint s");
      assertRefused(await attempt(tx.client, "update public.tenant_health set state = 'healthy'"));
      await tx.client.query("rollback to savepoint s");
      assertRefused(await attempt(tx.client, "delete from public.tenant_health_transitions"));
      await tx.client.query("rollback to savepoint s");
    });
  });
});
