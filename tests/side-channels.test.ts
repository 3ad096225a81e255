// What a member (any role; SQL as them, a Supabase Data API) learns of other tenants without reading
// their rows: counters shared by every tenant, other sessions' statements, and the security-definer
// functions that take a tenant id (an existence or count oracle if another tenant's id answered
// differently from a made-up one). See docs/security-model.md, "Side channels outside the rows".
// Real Postgres with its grants and policies, each attempt a withTenant transaction as a fixture user.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import type { TenantTx } from "@/lib/db/with-tenant";
import { HEALTH_HISTORY_SQL, RECENT_TRANSITIONS_SQL } from "@/lib/health/page-data";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug, UserName } from "./helpers/fixtures";
import { asRolledBack, assertRefused, assertRows, attempt, type Outcome } from "./helpers/sql";

const env = useFixtureEnv();

const tryAs = (who: UserName, sql: string, params: unknown[] = []) =>
  asRolledBack(env.fx, who, (tx: TenantTx) => attempt(tx.client, sql, params));

env.before(async () => {
  const t = env.fx.tenants;
  // Usage events and health changes of acme, with other tenants' in between (one sequence numbers them all).
  for (const [tenant, key] of [[t.acme, "a1"], [t.globex, "g1"], [t["other-co"], "o1"], [t["other-co"], "o2"], [t.acme, "a2"]])
    await env.owner(
      "insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source) values ($1, 'alerts_ingested', 1, now(), $2, 'test')",
      [tenant, key],
    );
  let at = Date.parse("2026-01-01T00:00:00Z");
  for (const [tenant, from, to] of [[t.acme, null, "healthy"], [t.globex, null, "healthy"], [t["other-co"], null, "down"], [t.acme, "healthy", "degraded"]] as const)
    await env.owner("insert into public.tenant_health_transitions (tenant_id, from_state, to_state, occurred_at) values ($1, $2, $3, $4)", [
      tenant,
      from,
      to,
      new Date((at += 60_000)),
    ]);
  // An alert of each customer assigned to one of its people (workflows.people_standing).
  await env.owner("update public.alerts set assigned_to = $2 where tenant_id = $1 and id = $3", [t.acme, env.fx.users.acmeAnalyst, env.fx.alerts.acme[0]]);
  await env.owner("update public.alerts set assigned_to = $2 where tenant_id = $1 and id = $3", [t.globex, env.fx.users.globexAdmin, env.fx.alerts.globex[0]]);
});

describe("counters shared by every tenant", () => {
  test("a customer's admin cannot read usage events' ids, whose gaps counted every other tenant's usage; the rest of its own events reads", async () => {
    assertRefused(await tryAs("acmeAdmin", "select id from public.usage_events"));
    assertRefused(await tryAs("acmeAdmin", "select * from public.usage_events"));
    const own = await tryAs("acmeAdmin", "select tenant_id, metric, quantity, occurred_at, recorded_at, idempotency_key, source from public.usage_events order by idempotency_key");
    assertRows(own, 2);
    assert.deepEqual(own.ok && own.rows.map((r) => r.idempotency_key), ["a1", "a2"]);
    assertRows(await tryAs("acmeAdmin", "select count(*) from public.usage_events"), 1);
  });

  test("a customer's analyst cannot read health transitions' ids; the health board's and history's statements still run as members", async () => {
    assertRefused(await tryAs("acmeAnalyst", "select id from public.tenant_health_transitions"));
    assertRefused(await tryAs("acmeAnalyst", "select 1 from public.tenant_health_transitions order by id limit 1"));
    const acme = env.fx.tenants.acme;
    const history = await tryAs("acmeAnalyst", HEALTH_HISTORY_SQL, [acme]);
    assertRows(history, 2);
    assert.deepEqual(history.ok && history.rows.map((r) => r.to_state), ["degraded", "healthy"]);
    const recent = await tryAs("msspAnalyst", RECENT_TRANSITIONS_SQL, [[acme, env.fx.tenants.globex], 10]);
    assertRows(recent, 1);
    assert.equal(recent.ok && recent.rows[0].tenant_id, acme);
  });
});

describe("other sessions", () => {
  test("no other session's statement (withTenant's opening names its caller) is shown to a member, and none can be cancelled", async () => {
    const other = env.fx.users.msspBAdmin;
    let release!: () => void;
    const held = new Promise<void>((ok) => (release = ok));
    let pid!: number;
    let opened!: () => void;
    const isOpen = new Promise<void>((ok) => (opened = ok));
    const holder = env.as("msspBAdmin", async (tx) => {
      pid = (await tx.client.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0].pid;
      // The session's last statement text now carries its claims (its user id) as literals.
      await tx.client.query(`select count(*) from public.tenants where id <> '${other}'`);
      opened();
      await held;
    });
    try {
      await isOpen;
      // Control: the owner sees that session's statement, with the id in it.
      const [seen] = await env.owner<{ query: string }>("select query from pg_stat_activity where pid = $1", [pid]);
      assert.ok(seen.query.includes(other), "control: the held session's statement names its caller");
      const rows = await tryAs("acmeViewer", "select pid, query from pg_stat_activity");
      assertRows(rows);
      assert.ok(rows.ok);
      for (const r of rows.rows) assert.ok(r.query === null || r.query === "<insufficient privilege>", `a member read a session's statement: ${r.query}`);
      assert.ok(!JSON.stringify(rows.rows).includes(other));
      assertRefused(await tryAs("acmeViewer", "select pg_cancel_backend($1)", [pid]));
      assertRefused(await tryAs("acmeViewer", "select pg_terminate_backend($1)", [pid]));
    } finally {
      release();
      await holder;
    }
  });
});

describe("security-definer functions given another tenant's id", () => {
  // Each asks as a customer's admin (and viewer) about another customer, another MSSP's customer and a
  // made-up id: the three answers are the same (nothing), while the control about its own tenant answers.
  const strangers: TenantSlug[] = ["globex", "other-co"];
  // A tenant's first alert (assigned above for acme and globex), a made-up id for a made-up tenant.
  const alertOf = (tenant: string) => {
    const slug = (Object.keys(env.fx.tenants) as TenantSlug[]).find((s) => env.fx.tenants[s] === tenant);
    return slug ? env.fx.alerts[slug][0] : randomUUID();
  };
  const answer = (o: Outcome) => (o.ok ? { rows: o.rows } : { code: o.code, message: o.message });

  const cases: { name: string; sql: string; params: (tenant: string) => unknown[]; own: (o: Outcome) => void }[] = [
    { name: "settings.effective", sql: "select * from settings.effective(array[$1::uuid])", params: (t) => [t], own: (o) => assertRows(o) },
    { name: "workflows.rules_for", sql: "select * from workflows.rules_for($1)", params: (t) => [t], own: (o) => assertRows(o, 0) },
    { name: "workflows.groups_for", sql: "select * from workflows.groups_for($1)", params: (t) => [t], own: (o) => assertRows(o, 0) },
    { name: "tenancy.people_standing_in", sql: "select * from tenancy.people_standing_in($1)", params: (t) => [t], own: (o) => assertRows(o, 0) },
    {
      name: "tenancy.caller_admin_rank_on",
      sql: "select tenancy.caller_admin_rank_on($1) as rank",
      params: (t) => [t],
      own: (o) => assert.ok(o.ok && o.rows[0].rank > 0),
    },
    {
      name: "analytics.peer_benchmark",
      sql: "select * from analytics.peer_benchmark($1, 'all', current_date - 30, current_date)",
      params: (t) => [t],
      own: (o) => assertRows(o, 6),
    },
    {
      name: "search.alert_page",
      sql: "select matched, ids from search.alert_page('alert', array[$1::uuid], null, null, null, false, null, false, false, null, null, 'newest', 1, 50, 1000)",
      params: (t) => [t],
      own: (o) => assertRows(o, 1),
    },
    {
      name: "workflows.people_standing",
      sql: "select * from workflows.people_standing(array[$1::uuid], array[$2::uuid], true)",
      params: (t) => [t, alertOf(t)],
      own: (o) => assertRows(o, 1),
    },
    {
      name: "audit.record",
      sql: "select audit.record($1::uuid, 'side.channel', 'tenant', $2::text, 'success', '{}'::jsonb, null)",
      params: (t) => [t, t],
      own: (o) => assertRows(o, 1),
    },
  ];

  for (const who of ["acmeAdmin", "acmeViewer"] as const)
    for (const c of cases)
      test(`${c.name} as ${who}: another customer's, another MSSP's and a made-up tenant answer alike`, async () => {
        const madeUp = answer(await tryAs(who, c.sql, c.params(randomUUID())));
        for (const s of strangers) assert.deepEqual(answer(await tryAs(who, c.sql, c.params(env.fx.tenants[s]))), madeUp, `${c.name} about ${s}`);
        if (who === "acmeAdmin") c.own(await tryAs(who, c.sql, c.params(env.fx.tenants.acme)));
      });

  test("tenancy.user_is_visible: another customer's admin and a made-up user are alike invisible", async () => {
    const o = await tryAs("acmeViewer", "select tenancy.user_is_visible($1) as a, tenancy.user_is_visible($2) as b, tenancy.user_is_visible($3) as c", [
      env.fx.users.globexAdmin,
      env.fx.users.otherCoAdmin,
      randomUUID(),
    ]);
    assert.ok(o.ok);
    assert.deepEqual(o.rows[0], { a: false, b: false, c: false });
  });
});
