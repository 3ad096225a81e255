// Alert triage (issue 10, item 3) on a real Postgres and the real PDP: the
// workflow the database enforces (and that lib/alerts/workflow.ts offers),
// close reasons, who may be assigned, triage as each role across tenants
// through the server actions (RLS + PDP, audited), bulk changes with a result
// per alert, comments and the timeline, SLA clocks against a fixed clock,
// search / sort / date range / assignee filters and saved filters.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { auditMark, auditSince, callAction, changedTables, databaseState, enrolMfa, loadAction, sessionCookie, type FormFields } from "./helpers/actions";
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { ALERT_STATUSES, type AlertStatus } from "@/drizzle/schema";
import { listAlerts, parseAlertFilters } from "@/lib/alerts/list";
import { listSavedFilters } from "@/lib/alerts/saved-filters";
import { describeClock, slaClocks, type SlaTargets } from "@/lib/alerts/sla";
import { slaTargetsFor } from "@/lib/alerts/sla-targets";
import { timelineOf } from "@/lib/alerts/detail";
import { canTransition } from "@/lib/alerts/workflow";
import { generateKey, parseKey } from "@/lib/api/keys/format";
import { withTenant } from "@/lib/db/with-tenant";
import { useFixtureEnv } from "./helpers/fixture-env";
import { type TenantSlug, type UserName } from "./helpers/fixtures";
import { withClient } from "./helpers/test-database";

const env = useFixtureEnv();
const CONSOLE = "localhost:3000";
const hostOf = (slug: TenantSlug) => `${slug}.localhost:3000`;
const DENIED = "You don't have permission to do that here.";

env.before(async () => {
  for (const user of ["msspAdmin", "msspAnalyst"] as const) await enrolMfa(env.person(user));
  // Everyone signs in once before any case is measured (a sign-in writes a session row).
  for (const user of Object.keys(env.fx.users) as UserName[]) await sessionCookie(env.person(user));
});

/** A fresh alert (owner insert) in `tenant` with `status`. */
async function alertIn(tenant: TenantSlug, fields: { status?: AlertStatus; title?: string; severity?: string; detectedAt?: string; createdAt?: string } = {}): Promise<string> {
  const [row] = await env.owner<{ id: string }>(
    `insert into public.alerts (tenant_id, title, severity, source, status, detected_at, created_at, resolved_at, close_reason)
     values ($1, $2, $3, 'edr', $4, coalesce($5::timestamptz, now()), coalesce($6::timestamptz, now()),
             case when $4 in ('resolved', 'false_positive') then now() end,
             case when $4 in ('resolved', 'false_positive') then 'seeded closed' end)
     returning id`,
    [env.fx.tenants[tenant], fields.title ?? `triage test ${Math.random().toString(36).slice(2, 8)}`, fields.severity ?? "high", fields.status ?? "new", fields.detectedAt ?? null, fields.createdAt ?? null],
  );
  return row.id;
}

async function alertRow(id: string) {
  const [row] = await env.owner<{ status: AlertStatus; assigned_to: string | null; close_reason: string | null; acknowledged_at: Date | null; resolved_at: Date | null }>(
    "select status, assigned_to, close_reason, acknowledged_at, resolved_at from public.alerts where id = $1",
    [id],
  );
  return row;
}

type Result = { ok: boolean; error?: string; message?: string; data?: unknown; fieldErrors?: Record<string, string[]> };
async function act(id: string, user: UserName, host: string, fields: FormFields): Promise<Result> {
  return (await callAction(await loadAction(id), { person: env.person(user), host }, fields)) as Result;
}
const ACK = "lib/actions/alerts/change-alert-status.ts#acknowledgeAlert";
const START = "lib/actions/alerts/change-alert-status.ts#startAlert";
const CLOSE = "lib/actions/alerts/change-alert-status.ts#closeAlert";
const ASSIGN = "lib/actions/alerts/assign-alert.ts#assignAlert";
const COMMENT = "lib/actions/alerts/comment-on-alert.ts#commentOnAlert";
const BULK_ACK = "lib/actions/alerts/bulk-triage.ts#bulkAcknowledge";
const BULK_CLOSE = "lib/actions/alerts/bulk-triage.ts#bulkClose";
const BULK_ASSIGN = "lib/actions/alerts/bulk-triage.ts#bulkAssign";
const SAVE_FILTER = "lib/actions/alerts/saved-filters.ts#saveAlertFilter";
const DELETE_FILTER = "lib/actions/alerts/saved-filters.ts#deleteAlertFilter";

async function observe(call: () => Promise<Result>) {
  const before = await databaseState(env.db.url);
  const mark = await auditMark(env.db.url);
  const result = await call();
  return { result, changed: changedTables(before, await databaseState(env.db.url)), audit: await auditSince(env.db.url, mark) };
}

describe("the workflow", () => {
  test("the database allows exactly the transitions lib/alerts/workflow.ts offers (every pair)", async () => {
    const mismatches: string[] = [];
    for (const from of ALERT_STATUSES) {
      for (const to of ALERT_STATUSES) {
        if (from === to) continue;
        const id = await alertIn("acme", { status: from });
        const allowed = await withClient(env.db.url, async (c) => {
          try {
            await c.query("update public.alerts set status = $2, close_reason = 'checked pair by pair' where id = $1", [id, to]);
            return true;
          } catch (e) {
            assert.equal((e as { hint?: string }).hint, "alert_transition", `${from} → ${to}: ${(e as Error).message}`);
            return false;
          }
        });
        if (allowed !== canTransition(from, to)) mismatches.push(`${from} → ${to}: database ${allowed}, lib ${canTransition(from, to)}`);
      }
    }
    assert.deepEqual(mismatches, []);
    // Control: the table is not trivially all-false or all-true.
    assert.ok(canTransition("new", "acknowledged") && !canTransition("new", "resolved") && !canTransition("resolved", "new"));
  });

  test("closing needs a reason; reopening clears it and resolved_at; acknowledgement time is kept", async () => {
    const id = await alertIn("acme", { status: "acknowledged" });
    for (const reason of [null, "", "   "]) {
      await assert.rejects(
        env.owner("update public.alerts set status = 'resolved', close_reason = $2 where id = $1", [id, reason]),
        (e: { hint?: string }) => e.hint === "alert_close_reason",
      );
    }
    await env.owner("update public.alerts set status = 'resolved', close_reason = 'patched' where id = $1", [id]);
    const closed = await alertRow(id);
    assert.equal(closed.close_reason, "patched");
    assert.ok(closed.resolved_at);
    await env.owner("update public.alerts set status = 'in_progress' where id = $1", [id]);
    const reopened = await alertRow(id);
    assert.deepEqual([reopened.status, reopened.close_reason, reopened.resolved_at], ["in_progress", null, null]);
    // The reason cannot be rewritten on its own.
    await assert.rejects(env.owner("update public.alerts set close_reason = 'later' where id = $1", [id]), (e: { hint?: string }) => e.hint === "alert_close_reason");
  });

  test("on a suspended tenant, assigning and commenting are refused with the reason, nothing changed", async () => {
    const id = await alertIn("acme-eu", { status: "acknowledged" });
    await env.owner("update public.tenants set status = 'suspended' where id = $1", [env.fx.tenants["acme-eu"]]);
    try {
      // The MSSP's staff still read a suspended tenant's alerts; nobody writes them.
      const fields = { tenantId: env.fx.tenants["acme-eu"], alertId: id };
      const assigned = await observe(() => act(ASSIGN, "msspAdmin", CONSOLE, { ...fields, assigneeId: env.fx.users.msspAnalyst }));
      assert.equal(assigned.result.ok, false, "not 'Alert assigned.'");
      assert.match(assigned.result.error ?? "", /cannot be changed now \(its tenant may be suspended\)/);
      assert.equal((await alertRow(id)).assigned_to, null);
      const commented = await observe(() => act(COMMENT, "msspAdmin", CONSOLE, { ...fields, body: "looking into it" }));
      assert.equal(commented.result.ok, false);
      assert.match(commented.result.error ?? "", /Comments cannot be added now/);
      assert.deepEqual(commented.changed.filter((t) => t !== "public.audit_log"), [], "nothing saved but the refusal's audit row");
    } finally {
      await env.owner("update public.tenants set status = 'active' where id = $1", [env.fx.tenants["acme-eu"]]);
    }
  });

  test("a stale click is refused: 'Start work' on an alert a colleague closed meanwhile does not reopen it", async () => {
    const id = await alertIn("acme", { status: "acknowledged" });
    // The analyst's page shows "acknowledged"; the admin closes the alert before the analyst clicks.
    const closed = await act(CLOSE, "acmeAdmin", hostOf("acme"), { tenantId: env.fx.tenants.acme, alertId: id, resolution: "resolved", reason: "patched on the host", shown: "acknowledged" });
    assert.equal(closed.ok, true, closed.error);
    const stale = await act(START, "acmeAnalyst", hostOf("acme"), { tenantId: env.fx.tenants.acme, alertId: id, shown: "acknowledged" });
    assert.equal(stale.ok, false);
    assert.match(stale.error ?? "", /resolved now: someone changed it after your page showed it acknowledged/);
    const row = await alertRow(id);
    assert.deepEqual([row.status, row.close_reason], ["resolved", "patched on the host"], "the colleague's close stands");
    // A second close from the same stale page: the same answer, not "a reason is required".
    const twice = await act(CLOSE, "acmeAnalyst", hostOf("acme"), { tenantId: env.fx.tenants.acme, alertId: id, resolution: "false_positive", reason: "benign", shown: "acknowledged" });
    assert.match(twice.error ?? "", /someone changed it/);
    // From a page that shows it resolved, reopening is what the person asked for.
    const reopen = await act(START, "acmeAnalyst", hostOf("acme"), { tenantId: env.fx.tenants.acme, alertId: id, shown: "resolved" });
    assert.equal(reopen.ok, true, reopen.error);
    assert.equal((await alertRow(id)).status, "in_progress");
  });

  test("a system job's change (no claims, or the empty claims a pooled connection keeps) is recorded without an actor", async () => {
    const id = await alertIn("acme");
    await withClient(env.db.url, async (c) => {
      // What SET LOCAL leaves behind on a pooled connection after withTenant's transaction.
      await c.query("select set_config('request.jwt.claims', '', false)");
      await c.query("update public.alerts set status = 'acknowledged' where id = $1", [id]);
    });
    const events = await env.owner<{ actor_id: string | null; to_status: string }>("select actor_id, to_status from public.alert_events where alert_id = $1", [id]);
    assert.deepEqual(events, [{ actor_id: null, to_status: "acknowledged" }]);
  });

  test("acknowledging stamps acknowledged_at once", async () => {
    const id = await alertIn("acme");
    await env.owner("update public.alerts set status = 'acknowledged' where id = $1", [id]);
    const first = (await alertRow(id)).acknowledged_at;
    assert.ok(first);
    await env.owner("update public.alerts set status = 'in_progress' where id = $1", [id]);
    assert.deepEqual((await alertRow(id)).acknowledged_at, first);
  });
});

describe("triage through the server actions, as each role across tenants (RLS + PDP)", () => {
  const cases: { user: UserName; host: string; tenant: TenantSlug; ok: boolean }[] = [
    { user: "acmeAnalyst", host: hostOf("acme"), tenant: "acme", ok: true },
    { user: "acmeAnalyst", host: hostOf("acme"), tenant: "acme-eu", ok: true },
    { user: "acmeAdmin", host: hostOf("acme"), tenant: "acme", ok: true },
    { user: "acmeViewer", host: hostOf("acme"), tenant: "acme", ok: false },
    { user: "acmeAnalyst", host: hostOf("acme"), tenant: "globex", ok: false },
    { user: "acmeEuAdmin", host: hostOf("acme-eu"), tenant: "acme", ok: false },
    { user: "twoCustomers", host: hostOf("acme"), tenant: "acme", ok: false },
    { user: "twoCustomers", host: hostOf("globex"), tenant: "globex", ok: true },
    { user: "msspAnalyst", host: CONSOLE, tenant: "globex", ok: true },
    { user: "msspAdmin", host: CONSOLE, tenant: "acme-us", ok: true },
    { user: "msspAdmin", host: CONSOLE, tenant: "other-co", ok: false },
    { user: "otherCoAdmin", host: hostOf("other-co"), tenant: "acme", ok: false },
  ];
  for (const c of cases) {
    test(`${c.user} on ${c.host} acknowledging a ${c.tenant} alert: ${c.ok ? "done, audited" : "refused, nothing changed, denied row"}`, async () => {
      const id = await alertIn(c.tenant);
      const { result, changed, audit } = await observe(() => act(ACK, c.user, c.host, { tenantId: env.fx.tenants[c.tenant], alertId: id }));
      if (c.ok) {
        assert.deepEqual(result, { ok: true, data: undefined, message: "Alert acknowledged." });
        assert.equal((await alertRow(id)).status, "acknowledged");
        assert.deepEqual(changed.filter((t) => !["public.alert_events", "public.alerts", "public.audit_log", "public.alert_daily_rollups", "public.alert_open_counts", "public.alert_subtree_rollups", "public.alert_subtree_blocks"].includes(t)), [], "only alerts, their timeline, their rollups (lib/analytics) and the audit trail change");
        const [row] = audit;
        assert.deepEqual([audit.length, row.action, row.outcome, row.actor_id, row.tenant_id], [1, "alerts:acknowledge", "success", env.fx.users[c.user], env.fx.tenants[c.tenant]]);
        assert.deepEqual(row.details, { from: "new", to: "acknowledged" });
      } else {
        assert.deepEqual(result, { ok: false, error: DENIED });
        assert.equal((await alertRow(id)).status, "new");
        assert.deepEqual(changed.filter((t) => t !== "public.audit_log"), []);
        assert.deepEqual(audit.map((r) => [r.action, r.outcome, r.actor_id]), [["alerts:acknowledge", "denied", env.fx.users[c.user]]]);
      }
    });
  }

  test("own tenant id with another customer's alert id: 'not here' (existence not revealed), nothing changed, denied row", async () => {
    const foreign = await alertIn("globex");
    const missing = "3f8a9c2e-0000-4000-8000-000000000000";
    const answers: string[] = [];
    for (const alertId of [foreign, missing]) {
      const { result, changed, audit } = await observe(() => act(ACK, "acmeAnalyst", hostOf("acme"), { tenantId: env.fx.tenants.acme, alertId }));
      assert.equal(result.ok, false);
      answers.push(result.error!);
      assert.deepEqual(changed.filter((t) => t !== "public.audit_log"), []);
      assert.deepEqual(audit.map((r) => [r.action, r.outcome, r.details.reason]), [["alerts:acknowledge", "denied", "rule"]]);
    }
    assert.equal(answers[0], answers[1], "a foreign alert and a missing one read the same");
    assert.match(answers[0], /not here/);
    assert.equal((await alertRow(foreign)).status, "new");
  });

  test("a step the workflow does not allow: a clear refusal naming the current status, nothing changed", async () => {
    const id = await alertIn("acme", { status: "resolved" });
    const { result, audit } = await observe(() => act(ACK, "acmeAnalyst", hostOf("acme"), { tenantId: env.fx.tenants.acme, alertId: id }));
    assert.equal(result.ok, false);
    assert.match(result.error!, /This alert is resolved; it cannot be moved to acknowledged/);
    assert.equal((await alertRow(id)).status, "resolved");
    assert.equal(audit[0].outcome, "denied");
  });

  test("close: the reason is required by the form (field message) and recorded on the alert, the timeline and the audit row", async () => {
    const id = await alertIn("acme", { status: "acknowledged" });
    const missing = await act(CLOSE, "acmeAnalyst", hostOf("acme"), { tenantId: env.fx.tenants.acme, alertId: id, resolution: "resolved" });
    assert.equal(missing.ok, false);
    assert.ok(missing.fieldErrors?.reason?.[0]?.includes("Say why"));
    const short = await act(CLOSE, "acmeAnalyst", hostOf("acme"), { tenantId: env.fx.tenants.acme, alertId: id, resolution: "resolved", reason: "  x " });
    assert.ok(short.fieldErrors?.reason);
    assert.equal((await alertRow(id)).status, "acknowledged");
    const mark = await auditMark(env.db.url);
    const done = await act(CLOSE, "acmeAnalyst", hostOf("acme"), { tenantId: env.fx.tenants.acme, alertId: id, resolution: "false_positive", reason: "Scheduled pen test" });
    assert.equal(done.ok, true, JSON.stringify(done));
    const row = await alertRow(id);
    assert.deepEqual([row.status, row.close_reason], ["false_positive", "Scheduled pen test"]);
    const [audit] = await auditSince(env.db.url, mark);
    assert.deepEqual(audit.details, { from: "acknowledged", to: "false_positive", reason: "Scheduled pen test" });
    // Reopen with "start work".
    assert.equal((await act(START, "acmeAnalyst", hostOf("acme"), { tenantId: env.fx.tenants.acme, alertId: id })).message, "Alert reopened: in progress.");
  });
});

describe("assignees", () => {
  const refused: [string, UserName][] = [
    ["another customer's admin", "globexAdmin"],
    ["a viewer of the tenant", "acmeViewer"],
    ["a site admin (covers only the site)", "acmeEuAdmin"],
    ["another MSSP's admin", "msspBAdmin"],
    ["someone with no role", "noMemberships"],
  ];
  for (const [label, assignee] of refused) {
    test(`${label}: refused with a clear message, nothing changed, denied row`, async () => {
      const id = await alertIn("acme");
      const { result, changed, audit } = await observe(() => act(ASSIGN, "acmeAdmin", hostOf("acme"), { tenantId: env.fx.tenants.acme, alertId: id, assigneeId: env.fx.users[assignee] }));
      assert.deepEqual(result, {
        ok: false,
        error: "That person cannot be assigned this alert: only analysts and admins of its tenant, or MSSP staff covering it, can be.",
      });
      assert.equal((await alertRow(id)).assigned_to, null);
      assert.deepEqual(changed.filter((t) => t !== "public.audit_log"), []);
      assert.deepEqual(audit.map((r) => [r.action, r.outcome, r.details.reason]), [["alerts:assign", "denied", "rule"]]);
    });
  }

  test("an analyst of the tenant, the MSSP's staff, then unassigned: each recorded", async () => {
    const id = await alertIn("acme-eu");
    for (const [assignee, expected] of [
      ["acmeAnalyst", "Alert assigned."],
      ["msspAnalyst", "Alert assigned."],
      ["acmeEuAdmin", "Alert assigned."],
      ["", "Alert unassigned."],
    ] as const) {
      const r = await act(ASSIGN, "acmeAdmin", hostOf("acme"), { tenantId: env.fx.tenants["acme-eu"], alertId: id, assigneeId: assignee ? env.fx.users[assignee] : "" });
      assert.deepEqual([r.ok, r.message], [true, expected], JSON.stringify(r));
      assert.equal((await alertRow(id)).assigned_to, assignee ? env.fx.users[assignee] : null);
    }
  });

  test("a direct UPDATE under RLS (a Supabase client) meets the same rule", async () => {
    const id = await alertIn("acme");
    await assert.rejects(
      withTenant({ userId: env.fx.users.acmeAnalyst }, (tx) => tx.client.query("update public.alerts set assigned_to = $2 where tenant_id = $3 and id = $1", [id, env.fx.users.globexAdmin, env.fx.tenants.acme])),
      (e: { hint?: string }) => e.hint === "alert_assignee",
    );
  });
});

describe("bulk", () => {
  test("acknowledge: in-scope alerts change, the rest are reported; one transaction, the list tenant's audit row with every result", async () => {
    const a1 = await alertIn("acme");
    const a2 = await alertIn("acme-eu");
    const already = await alertIn("acme", { status: "acknowledged" });
    const closed = await alertIn("acme", { status: "resolved" });
    const foreign = await alertIn("globex");
    const keys = [
      [env.fx.tenants.acme, a1],
      [env.fx.tenants["acme-eu"], a2],
      [env.fx.tenants.acme, already],
      [env.fx.tenants.acme, closed],
      [env.fx.tenants.globex, foreign],
    ];
    const mark = await auditMark(env.db.url);
    const r = await act(BULK_ACK, "acmeAnalyst", hostOf("acme"), { tenantId: env.fx.tenants.acme, alerts: keys.map((k) => k.join(":")).join(",") });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.message, "2 acknowledged, 1 already was, 2 not changed.");
    const outcomes = (r.data as { alertId: string; outcome: string; message?: string }[]).map((x) => [x.alertId, x.outcome]);
    assert.deepEqual(outcomes, [
      [a1, "changed"],
      [a2, "changed"],
      [already, "unchanged"],
      [closed, "refused"],
      [foreign, "refused"],
    ]);
    assert.deepEqual([(await alertRow(a1)).status, (await alertRow(a2)).status, (await alertRow(closed)).status, (await alertRow(foreign)).status], ["acknowledged", "acknowledged", "resolved", "new"]);
    const audit = await auditSince(env.db.url, mark);
    // The site's own row (its alert only: tests/alert-bulk-audit.test.ts), then the list's tenant's with every result.
    assert.deepEqual(audit.map((x) => [x.tenant_id, x.action]), [
      [env.fx.tenants["acme-eu"], "alerts:bulk-acknowledge"],
      [env.fx.tenants.acme, "alerts:bulk-acknowledge"],
    ]);
    assert.equal((audit[0].details.results as unknown[]).length, 1);
    assert.equal((audit[1].details.results as unknown[]).length, 5);
  });

  test("nothing changeable (only another customer's alerts): refused, nothing changed", async () => {
    const foreign = await alertIn("globex");
    const { result, changed } = await observe(() => act(BULK_ACK, "acmeAnalyst", hostOf("acme"), { tenantId: env.fx.tenants.acme, alerts: `${env.fx.tenants.globex}:${foreign}` }));
    assert.equal(result.ok, false);
    assert.match(result.error!, /None of the selected alerts could be changed \(not found here\)/);
    assert.deepEqual(changed.filter((t) => t !== "public.audit_log"), []);
  });

  test("the MSSP console: one bulk close across customers; a reason is required; the count is bounded", async () => {
    const ids = [await alertIn("acme", { status: "acknowledged" }), await alertIn("globex", { status: "in_progress" })];
    const alerts = [`${env.fx.tenants.acme}:${ids[0]}`, `${env.fx.tenants.globex}:${ids[1]}`].join(",");
    const noReason = await act(BULK_CLOSE, "msspAnalyst", CONSOLE, { tenantId: env.fx.tenants["mssp-a"], alerts, resolution: "resolved" });
    assert.ok(noReason.fieldErrors?.reason);
    const tooMany = Array.from({ length: 101 }, (_, i) => `${env.fx.tenants.acme}:${`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`}`).join(",");
    const big = await act(BULK_ACK, "msspAnalyst", CONSOLE, { tenantId: env.fx.tenants["mssp-a"], alerts: tooMany });
    assert.ok(big.fieldErrors?.alerts?.[0]?.includes("at most 100"));
    const r = await act(BULK_CLOSE, "msspAnalyst", CONSOLE, { tenantId: env.fx.tenants["mssp-a"], alerts, resolution: "resolved", reason: "Contained by EDR" });
    assert.equal(r.message, "2 closed.");
    for (const id of ids) assert.deepEqual([(await alertRow(id)).status, (await alertRow(id)).close_reason], ["resolved", "Contained by EDR"]);
  });

  test("assign: an assignee outside one alert's tenant is refused for that alert only", async () => {
    const acmeAlert = await alertIn("acme");
    const euAlert = await alertIn("acme-eu");
    const r = await act(BULK_ASSIGN, "acmeAdmin", hostOf("acme"), {
      tenantId: env.fx.tenants.acme,
      alerts: `${env.fx.tenants.acme}:${acmeAlert},${env.fx.tenants["acme-eu"]}:${euAlert}`,
      assigneeId: env.fx.users.acmeEuAdmin,
    });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.deepEqual((r.data as { outcome: string }[]).map((x) => x.outcome), ["refused", "changed"]);
    assert.equal((await alertRow(acmeAlert)).assigned_to, null);
    assert.equal((await alertRow(euAlert)).assigned_to, env.fx.users.acmeEuAdmin);
  });
});

describe("comments and the timeline", () => {
  test("created, acknowledged, assigned, commented, resolved: in order, with who and when", async () => {
    const id = await alertIn("acme");
    const t = { tenantId: env.fx.tenants.acme, alertId: id };
    assert.equal((await act(ACK, "acmeAnalyst", hostOf("acme"), t)).ok, true);
    assert.equal((await act(ASSIGN, "acmeAnalyst", hostOf("acme"), { ...t, assigneeId: env.fx.users.acmeAnalyst })).ok, true);
    const empty = await act(COMMENT, "acmeAnalyst", hostOf("acme"), { ...t, body: "   " });
    assert.ok(empty.fieldErrors?.body);
    assert.equal((await act(COMMENT, "acmeAnalyst", hostOf("acme"), { ...t, body: "Isolated the host <b>now</b>" })).ok, true);
    assert.equal((await act(CLOSE, "msspAnalyst", CONSOLE, { ...t, resolution: "resolved", reason: "Reimaged" })).ok, true);
    const viewer = await act(COMMENT, "acmeViewer", hostOf("acme"), { ...t, body: "may I?" });
    assert.deepEqual(viewer, { ok: false, error: DENIED });

    const timeline = await withTenant({ userId: env.fx.users.acmeViewer, activeTenantId: env.fx.tenants.acme }, async (tx) => {
      const [a] = (await tx.client.query("select tenant_id as \"tenantId\", id, created_at as \"createdAt\" from public.alerts where id = $1", [id])).rows;
      return timelineOf(tx, a);
    });
    assert.deepEqual(
      timeline.map((e) => [e.kind, e.actorName, e.toStatus ?? e.toAssignee ?? e.body ?? null]),
      [
        ["created", null, null],
        ["status", "acmeAnalyst", "acknowledged"],
        ["assignment", "acmeAnalyst", "acmeAnalyst"],
        ["comment", "acmeAnalyst", "Isolated the host <b>now</b>"],
        // The tenant's viewer cannot see the MSSP's staff by name.
        ["status", "MSSP staff", "resolved"],
      ],
    );
    assert.equal(timeline[4].body, "Reimaged");
    for (let i = 1; i < timeline.length; i++) assert.ok(timeline[i].at >= timeline[i - 1].at);
  });

  test("under RLS a comment is one's own, only where one may triage, and never edited", async () => {
    const id = await alertIn("acme");
    const insert = (user: UserName, actor: UserName) =>
      withTenant({ userId: env.fx.users[user], activeTenantId: env.fx.tenants.acme }, (tx) =>
        tx.client.query("insert into public.alert_events (tenant_id, alert_id, kind, actor_id, body) values ($1, $2, 'comment', $3, 'x')", [env.fx.tenants.acme, id, env.fx.users[actor]]),
      );
    await assert.rejects(insert("acmeViewer", "acmeViewer"), /row-level security/);
    await assert.rejects(insert("acmeAnalyst", "acmeAdmin"), /row-level security/, "a comment in someone else's name");
    await assert.rejects(
      withTenant({ userId: env.fx.users.acmeAnalyst, activeTenantId: env.fx.tenants.acme }, (tx) =>
        tx.client.query("insert into public.alert_events (tenant_id, alert_id, kind, actor_id, to_status) values ($1, $2, 'status', $3, 'resolved')", [env.fx.tenants.acme, id, env.fx.users.acmeAnalyst]),
      ),
      /row-level security|permission denied/,
      "a forged status event",
    );
    // A comment's time is when it is written: a backdated one is refused by the column grant.
    await assert.rejects(
      withTenant({ userId: env.fx.users.acmeAnalyst, activeTenantId: env.fx.tenants.acme }, (tx) =>
        tx.client.query("insert into public.alert_events (tenant_id, alert_id, kind, actor_id, body, created_at) values ($1, $2, 'comment', $3, 'contained', now() - interval '3 hours')", [
          env.fx.tenants.acme,
          id,
          env.fx.users.acmeAnalyst,
        ]),
      ),
      /permission denied/,
      "a backdated comment",
    );
    // A new alert takes only what a source reports: not born resolved, backdated, SLA-kept or assigned.
    // Only an API key with alerts:write creates alerts (migration 20261201031100): the column grants bind it too.
    const fresh = generateKey();
    await env.owner(
      `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at, created_by)
       values ($1, $2, 'triage columns', $3, '{alerts:write}', now() + interval '1 day', $4)`,
      [env.fx.tenants.acme, fresh.id, fresh.secretHash, env.fx.users.acmeAdmin],
    );
    const asWriter = { userId: fresh.id, apiKey: parseKey(fresh.key)!, activeTenantId: env.fx.tenants.acme };
    for (const [column, value] of [
      ["status", "resolved"],
      ["created_at", "2020-01-01T00:00:00Z"],
      ["ack_breached", "false"],
      ["assigned_to", env.fx.users.acmeAnalyst],
      ["resolved_at", "2020-01-01T00:00:00Z"],
    ] as const) {
      await assert.rejects(
        withTenant(asWriter, (tx) =>
          tx.client.query(`insert into public.alerts (tenant_id, title, severity, source, ${column}) values ($1, 'forged', 'low', 'sql', $2)`, [env.fx.tenants.acme, value]),
        ),
        /permission denied/,
        `a new alert with ${column} set`,
      );
    }
    const made = await withTenant(asWriter, (tx) =>
      tx.client.query<{ status: string }>("insert into public.alerts (tenant_id, title, severity, source, detected_at) values ($1, 'reported', 'low', 'sql', now()) returning status", [env.fx.tenants.acme]),
    );
    assert.equal(made.rows[0].status, "new", "control: the reported columns are enough, and the alert starts new");
    await insert("acmeAnalyst", "acmeAnalyst");
    await assert.rejects(
      withTenant({ userId: env.fx.users.acmeAdmin, activeTenantId: env.fx.tenants.acme }, (tx) => tx.client.query("update public.alert_events set body = 'edited' where alert_id = $1", [id])),
      /permission denied/,
    );
  });
});

describe("SLA clocks (injected clock)", () => {
  const defaults = { acknowledgeMinutes: 60, resolveMinutes: 600 };
  const targets: SlaTargets = { critical: defaults, medium: defaults, low: defaults, high: { acknowledgeMinutes: 30, resolveMinutes: 240 } };
  const created = new Date("2026-12-01T10:00:00Z");
  const at = (min: number) => new Date(created.getTime() + min * 60_000);
  const base = { severity: "high" as const, detectedAt: created, acknowledgedAt: null, resolvedAt: null };

  test("new, within target: running, time left counts down", () => {
    const c = slaClocks({ ...base, status: "new" }, targets, at(10))!;
    assert.deepEqual([c.acknowledge.state, c.acknowledge.remainingMs / 60_000, c.resolve.state, c.breached], ["running", 20, "running", false]);
    assert.equal(describeClock("acknowledge", c.acknowledge), "Acknowledge: 20 min left (target 30 min)");
  });
  test("new, past the acknowledge target: breached by how much", () => {
    const c = slaClocks({ ...base, status: "new" }, targets, at(45))!;
    assert.deepEqual([c.acknowledge.state, c.acknowledge.remainingMs / 60_000, c.breached], ["breached", -15, true]);
    assert.equal(describeClock("acknowledge", c.acknowledge), "Acknowledge: breached by 15 min (target 30 min)");
  });
  test("acknowledged in time stays met however late it is now; the resolve clock runs on", () => {
    const c = slaClocks({ ...base, status: "in_progress", acknowledgedAt: at(29) }, targets, at(200))!;
    assert.deepEqual([c.acknowledge.state, c.acknowledge.elapsedMs / 60_000, c.resolve.state, c.resolve.remainingMs / 60_000], ["met", 29, "running", 40]);
    const later = slaClocks({ ...base, status: "in_progress", acknowledgedAt: at(29) }, targets, at(241))!;
    assert.deepEqual([later.resolve.state, later.breached], ["breached", true]);
  });
  test("resolved late: breached forever; resolved in time: met", () => {
    const late = slaClocks({ ...base, status: "resolved", acknowledgedAt: at(5), resolvedAt: at(300) }, targets, at(10_000))!;
    assert.deepEqual([late.acknowledge.state, late.resolve.state, late.resolve.remainingMs / 60_000], ["met", "breached", -60]);
    const ok = slaClocks({ ...base, status: "false_positive", acknowledgedAt: at(5), resolvedAt: at(60) }, targets, at(10_000))!;
    assert.deepEqual([ok.resolve.state, ok.breached], ["met", false]);
    assert.equal(describeClock("resolve", ok.resolve), "Resolved in 1 h (target 4 h)");
  });
  test("info alerts have no clocks; times never recorded say so rather than guess", () => {
    assert.equal(slaClocks({ ...base, severity: "info", status: "new" }, targets, at(1)), null);
    const c = slaClocks({ ...base, status: "in_progress" }, targets, at(1))!;
    assert.equal(c.acknowledge.state, "unrecorded");
    assert.equal(c.breached, false);
  });
  test("targets come from the tenant's effective settings (defaults, then an override at acme)", async () => {
    const read = () => withTenant({ userId: env.fx.users.acmeAnalyst, activeTenantId: env.fx.tenants.acme }, (tx) => slaTargetsFor(tx, env.fx.tenants["acme-eu"]));
    assert.deepEqual((await read()).critical, { acknowledgeMinutes: 15, resolveMinutes: 240 });
    await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'sla.critical.ack_minutes', '5'::jsonb)", [env.fx.tenants.acme]);
    assert.deepEqual((await read()).critical, { acknowledgeMinutes: 5, resolveMinutes: 240 });
  });
  test("a stopped clock shows the verdict stored when it stopped, as the dashboards count it, whatever today's targets say", () => {
    // Acknowledged at 45 min under a 30-min target since raised to 60 (the stored flag says breached).
    const thenBreached = slaClocks({ ...base, severity: "critical", status: "in_progress", acknowledgedAt: at(45), ackBreached: true }, targets, at(50))!;
    assert.deepEqual([thenBreached.acknowledge.state, thenBreached.breached], ["breached", true]);
    assert.equal(describeClock("acknowledge", thenBreached.acknowledge), "Acknowledged in 45 min: breached the target then (now 1 h)");
    // Acknowledged at 45 min under a 60-min target since tightened to 30.
    const thenMet = slaClocks({ ...base, status: "in_progress", acknowledgedAt: at(45), ackBreached: false }, targets, at(50))!;
    assert.deepEqual([thenMet.acknowledge.state, thenMet.breached], ["met", false]);
    assert.equal(describeClock("acknowledge", thenMet.acknowledge), "Acknowledged in 45 min, within the target then (now 30 min)");
    // A running clock has no verdict: today's target decides.
    assert.equal(slaClocks({ ...base, status: "new", ackBreached: false }, targets, at(45))!.acknowledge.state, "breached");
  });
  test("the boundary: exactly at the target is met, a millisecond after is breached", () => {
    assert.equal(slaClocks({ ...base, status: "new" }, targets, at(30))!.acknowledge.state, "running");
    assert.equal(slaClocks({ ...base, status: "new" }, targets, new Date(at(30).getTime() + 1))!.acknowledge.state, "breached");
  });
});

describe("the list: search, sort, date range, assignee, saved filters", () => {
  let ids: Record<string, string>;
  before(async () => {
    ids = {
      ps: await alertIn("acme-us", { title: "Encoded PowerShell download cradle", severity: "low", detectedAt: "2026-11-10T08:00:00Z" }),
      vpn: await alertIn("acme-us", { title: "Brute-force attempt on VPN gateway", severity: "critical", detectedAt: "2026-11-12T08:00:00Z" }),
      ps2: await alertIn("acme-us", { title: "PowerShell spawned by Word", severity: "high", detectedAt: "2026-11-14T23:59:00Z" }),
    };
    await env.owner("update public.alerts set status = 'acknowledged', assigned_to = $2 where id = $1", [ids.ps2, env.fx.users.acmeUsAdmin]);
  });
  const list = (user: UserName, query: Record<string, string>) =>
    withTenant({ userId: env.fx.users[user], activeTenantId: env.fx.tenants["acme-us"] }, (tx) => listAlerts(tx.db, parseAlertFilters(query).filters, 25, { me: tx.claims.sub }));

  test("full-text search (stemmed words, not substrings), RLS still bounding it", async () => {
    const hits = await list("acmeUsAdmin", { q: "powershell" });
    assert.deepEqual(hits.rows.map((r) => r.id).sort(), [ids.ps, ids.ps2].sort());
    assert.deepEqual((await list("acmeUsAdmin", { q: "downloads" })).rows.map((r) => r.id), [ids.ps], "stemmed: downloads matches download");
    assert.deepEqual((await list("acmeUsAdmin", { q: "powershell -word" })).rows.map((r) => r.id), [ids.ps], "web-search syntax");
    assert.equal((await list("acmeUsAdmin", { q: "owershel" })).total, 0, "not a substring match");
    const globex = await withTenant({ userId: env.fx.users.globexAdmin }, (tx) => listAlerts(tx.db, { page: 1, q: "powershell" }));
    assert.equal(globex.total, 0, "another customer finds none of them");
  });

  test("sort by severity, oldest first; a date range covers its last day whole", async () => {
    const bySeverity = await list("acmeUsAdmin", { q: "powershell OR vpn", sort: "severity" });
    assert.deepEqual(bySeverity.rows.map((r) => r.id), [ids.vpn, ids.ps2, ids.ps]);
    const oldest = await list("acmeUsAdmin", { q: "powershell OR vpn", sort: "oldest" });
    assert.deepEqual(oldest.rows.map((r) => r.id), [ids.ps, ids.vpn, ids.ps2]);
    const range = await list("acmeUsAdmin", { from: "2026-11-11", to: "2026-11-14" });
    assert.deepEqual(range.rows.map((r) => r.id), [ids.ps2, ids.vpn]);
  });

  test("assignee: me, unassigned, and bad values reported, not fatal", async () => {
    assert.deepEqual((await list("acmeUsAdmin", { assignee: "me" })).rows.map((r) => r.id), [ids.ps2]);
    assert.ok(!(await list("acmeUsAdmin", { assignee: "none" })).rows.some((r) => r.id === ids.ps2));
    const { filters, problems } = parseAlertFilters({ assignee: "bob", from: "2026-02-30", sort: "random", q: "a\u0000b" });
    assert.deepEqual(filters, { page: 1, sort: "newest" });
    assert.equal(problems.length, 4, problems.join("\n"));
    assert.deepEqual(parseAlertFilters({ from: "2026-11-20", to: "2026-11-01" }).problems, ["Ignored the dates: the range ends (2026-11-01) before it starts (2026-11-20)."]);
  });

  test("saved filters: saved in the list's own words, one's own only, replaced by name, deleted", async () => {
    const tenantId = env.fx.tenants["acme-us"];
    const saved = await act(SAVE_FILTER, "acmeUsAdmin", hostOf("acme-us"), { tenantId, name: "My PowerShell", query: "?q=powershell&sort=severity&junk=1&page=3" });
    assert.equal(saved.ok, true, JSON.stringify(saved));
    const bad = await act(SAVE_FILTER, "acmeUsAdmin", hostOf("acme-us"), { tenantId, name: "Broken", query: "?status=nope" });
    assert.match(bad.error ?? "", /do not apply/);
    await act(SAVE_FILTER, "acmeUsAdmin", hostOf("acme-us"), { tenantId, name: "My PowerShell", query: "?q=powershell" });
    const mine = await withTenant({ userId: env.fx.users.acmeUsAdmin, activeTenantId: tenantId }, (tx) => listSavedFilters(tx, tenantId));
    assert.deepEqual(mine.map((f) => [f.name, f.query]), [["My PowerShell", "?q=powershell"]]);
    const others = await withTenant({ userId: env.fx.users.acmeAdmin, activeTenantId: tenantId }, (tx) => listSavedFilters(tx, tenantId));
    assert.deepEqual(others, [], "an admin above does not see another person's saved filters");
    const theirs = await act(DELETE_FILTER, "acmeAdmin", hostOf("acme"), { tenantId, filterId: mine[0].id });
    assert.equal(theirs.message, "That saved view was already gone.", "another person's filter is not theirs to delete");
    const count = async () => (await env.owner<{ n: number }>("select count(*)::int as n from public.alert_saved_filters where id = $1", [mine[0].id]))[0].n;
    assert.equal(await count(), 1);
    assert.equal((await act(DELETE_FILTER, "acmeUsAdmin", hostOf("acme-us"), { tenantId, filterId: mine[0].id })).message, `Saved view "${mine[0].name}" deleted.`);
    assert.equal(await count(), 0);
  });
});
