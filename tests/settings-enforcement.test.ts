// What a tenant bought, enforced (issue 10's settings registry): features.alert_triage,
// features.workflows and limits.users, through the real server actions on a real
// Postgres and the real PDP. Each case crosses the line (refused with its
// message, nothing changed, a denied audit row naming the setting) and stays
// below it (a control that succeeds), and the flags inherit down the tree.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { auditMark, auditSince, callAction, changedTables, databaseState, enrolMfa, loadAction, sessionCookie, type FormFields } from "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadAlertDetail } from "@/lib/alerts/detail";
import { loadAlertListPage } from "@/lib/alerts/page-data";
import { parseAlertFilters } from "@/lib/alerts/list";
import { createRule } from "@/lib/rules";
import { evaluateAlert } from "@/lib/rules/engine";
import { loadWorkflowsPage } from "@/lib/rules/page-data";
import { useFixtureEnv } from "./helpers/fixture-env";
import { type TenantSlug, type UserName } from "./helpers/fixtures";

const env = useFixtureEnv();
const CONSOLE = "localhost:3000";
const hostOf = (slug: TenantSlug) => `${slug}.localhost:3000`;

env.before(async () => {
  for (const user of ["msspAdmin", "msspAnalyst"] as const) await enrolMfa(env.person(user));
  for (const user of Object.keys(env.fx.users) as UserName[]) await sessionCookie(env.person(user));
});

type Result = { ok: boolean; error?: string; message?: string; data?: unknown };
async function act(id: string, user: UserName, host: string, fields: FormFields): Promise<Result> {
  return (await callAction(await loadAction(id), { person: env.person(user), host }, fields)) as Result;
}
async function observe(call: () => Promise<Result>) {
  const before = await databaseState(env.db.url);
  const mark = await auditMark(env.db.url);
  const result = await call();
  return { result, changed: changedTables(before, await databaseState(env.db.url)), audit: await auditSince(env.db.url, mark) };
}

async function setSetting(tenant: TenantSlug, key: string, value: unknown) {
  await env.owner(
    `insert into public.tenant_settings (tenant_id, key, value) values ($1, $2, $3::jsonb)
     on conflict (tenant_id, key) do update set value = excluded.value`,
    [env.fx.tenants[tenant], key, JSON.stringify(value)],
  );
}
async function clearSetting(tenant: TenantSlug, key: string) {
  await env.owner("delete from public.tenant_settings where tenant_id = $1 and key = $2", [env.fx.tenants[tenant], key]);
}
async function nameOf(tenant: TenantSlug): Promise<string> {
  return (await env.owner<{ name: string }>("select name from public.tenants where id = $1", [env.fx.tenants[tenant]]))[0].name;
}
async function alertIn(tenant: TenantSlug, fields: { hostname?: string } = {}): Promise<string> {
  const [row] = await env.owner<{ id: string }>(
    `insert into public.alerts (tenant_id, title, severity, source, status, hostname) values ($1, $2, 'critical', 'edr', 'new', $3) returning id`,
    [env.fx.tenants[tenant], `enforcement ${Math.random().toString(36).slice(2, 8)}`, fields.hostname ?? null],
  );
  return row.id;
}
const statusOf = async (id: string) => (await env.owner<{ status: string; assigned_to: string | null }>("select status, assigned_to from public.alerts where id = $1", [id]))[0];

const ACK = "lib/actions/alerts/change-alert-status.ts#acknowledgeAlert";
const COMMENT = "lib/actions/alerts/comment-on-alert.ts#commentOnAlert";
const BULK_ACK = "lib/actions/alerts/bulk-triage.ts#bulkAcknowledge";
const CREATE_CHANNEL = "lib/actions/workflows/create-channel.ts#createChannel";
const INVITE = "lib/actions/team/invite-member.ts#inviteMember";

describe("features.alert_triage", () => {
  test("off at a customer: its triage actions refuse (and its sites', by inheritance), nothing changed, audited; on elsewhere: works", async () => {
    await setSetting("acme", "features.alert_triage", false);
    try {
      const acme = await nameOf("acme");
      const acmeEu = await nameOf("acme-eu");
      for (const [tenant, name] of [["acme", acme], ["acme-eu", acmeEu]] as const) {
        const alertId = await alertIn(tenant);
        for (const [id, fields, audit] of [
          [ACK, { tenantId: env.fx.tenants[tenant], alertId }, "alerts:acknowledge"],
          [COMMENT, { tenantId: env.fx.tenants[tenant], alertId, body: "looking" }, "alerts:comment"],
        ] as const) {
          const { result, changed, audit: rows } = await observe(() => act(id, "msspAnalyst", CONSOLE, fields));
          assert.equal(result.ok, false, `${id} on ${tenant}`);
          assert.match(result.error!, new RegExp(`^Alert triage is not enabled for ${name}\\.`));
          assert.deepEqual(changed.filter((t) => t !== "public.audit_log"), []);
          assert.deepEqual(
            rows.map((r) => [r.action, r.outcome, r.details.reason, r.details.setting]),
            [[audit, "denied", "rule", "features.alert_triage"]],
          );
        }
        assert.equal((await statusOf(alertId)).status, "new");
      }
      // Control: globex has triage (the default): the same action, same person, works.
      const globexAlert = await alertIn("globex");
      const ok = await act(ACK, "msspAnalyst", CONSOLE, { tenantId: env.fx.tenants.globex, alertId: globexAlert });
      assert.equal(ok.ok, true, ok.error);
      assert.equal((await statusOf(globexAlert)).status, "acknowledged");
    } finally {
      await clearSetting("acme", "features.alert_triage");
    }
    // And once on again at acme, its analyst may acknowledge.
    const again = await alertIn("acme");
    const ok = await act(ACK, "acmeAnalyst", hostOf("acme"), { tenantId: env.fx.tenants.acme, alertId: again });
    assert.equal(ok.ok, true, ok.error);
  });

  test("bulk from the console: alerts of a tenant without triage are refused per row, the others change", async () => {
    await setSetting("acme", "features.alert_triage", false);
    try {
      const off = await alertIn("acme");
      const on = await alertIn("globex");
      const result = await act(BULK_ACK, "msspAnalyst", CONSOLE, {
        tenantId: env.fx.tenants["mssp-a"],
        alerts: `${env.fx.tenants.acme}:${off},${env.fx.tenants.globex}:${on}`,
      });
      assert.equal(result.ok, true, result.error);
      const rows = result.data as { alertId: string; outcome: string; message?: string }[];
      assert.deepEqual(
        rows.map((r) => [r.alertId, r.outcome, r.message]),
        [
          [off, "refused", "alert triage is not enabled for this tenant"],
          [on, "changed", undefined],
        ],
      );
      assert.equal((await statusOf(off)).status, "new");
      assert.equal((await statusOf(on)).status, "acknowledged");
      // Only acme's: the bulk on acme alone is refused as a whole (nothing changed).
      const only = await act(BULK_ACK, "msspAnalyst", CONSOLE, { tenantId: env.fx.tenants["mssp-a"], alerts: `${env.fx.tenants.acme}:${off}` });
      assert.equal(only.ok, false);
      assert.match(only.error!, /alert triage is not enabled/);
    } finally {
      await clearSetting("acme", "features.alert_triage");
    }
  });

  test("the alert pages offer no triage controls where it is off (and do where it is on)", async () => {
    await setSetting("acme", "features.alert_triage", false);
    try {
      const off = await alertIn("acme-us");
      const on = await alertIn("globex");
      const [offView, onView] = await env.as("msspAnalyst", async (tx) => [await loadAlertDetail(tx, off, new Date()), await loadAlertDetail(tx, on, new Date())]);
      assert.deepEqual([offView!.canTriage, offView!.nextStatuses.length, offView!.assignees.length], [false, 0, 0]);
      assert.equal(onView!.canTriage, true);
      assert.ok(onView!.nextStatuses.length > 0);
      const list = await env.as("acmeAnalyst", (tx) => loadAlertListPage(tx, parseAlertFilters({}).filters, env.fx.tenants.acme, new Date()));
      assert.equal(list.canBulk, false);
      assert.ok(list.alerts.rows.length > 0 && list.alerts.rows.every((r) => !r.selectable));
    } finally {
      await clearSetting("acme", "features.alert_triage");
    }
    const list = await env.as("acmeAnalyst", (tx) => loadAlertListPage(tx, parseAlertFilters({}).filters, env.fx.tenants.acme, new Date()));
    assert.equal(list.canBulk, true, "control: the same page offers bulk triage once the feature is on");
  });
});

describe("features.workflows", () => {
  const channel = (tenant: TenantSlug) => ({ tenantId: env.fx.tenants[tenant], name: `ops ${Math.random().toString(36).slice(2, 8)}`, kind: "email", recipients: "soc@example.test" });

  test("off: rule and channel actions refuse (audited, nothing changed), the page says so; on: the same action works", async () => {
    await setSetting("acme", "features.workflows", false);
    try {
      const name = await nameOf("acme");
      const { result, changed, audit } = await observe(() => act(CREATE_CHANNEL, "acmeAdmin", hostOf("acme"), channel("acme")));
      assert.equal(result.ok, false);
      assert.match(result.error!, new RegExp(`^Routing and escalation rules is not enabled for ${name}\\.`));
      assert.deepEqual(changed.filter((t) => t !== "public.audit_log"), []);
      assert.deepEqual(audit.map((r) => [r.outcome, r.details.reason, r.details.setting]), [["denied", "rule", "features.workflows"]]);
      // A site inherits it.
      const site = await act(CREATE_CHANNEL, "acmeEuAdmin", hostOf("acme-eu"), channel("acme-eu"));
      assert.equal(site.ok, false);
      assert.match(site.error!, /is not enabled for/);
      const page = await env.as("acmeAdmin", (tx) => loadWorkflowsPage(tx, env.fx.tenants.acme, name));
      assert.deepEqual([page.disabled, page.canManage, page.rules.length, page.channels.length], [true, false, 0, 0]);
    } finally {
      await clearSetting("acme", "features.workflows");
    }
    const ok = await act(CREATE_CHANNEL, "acmeAdmin", hostOf("acme"), channel("acme"));
    assert.equal(ok.ok, true, ok.error);
    const page = await env.as("acmeAdmin", (tx) => loadWorkflowsPage(tx, env.fx.tenants.acme, "Acme"));
    assert.equal(page.disabled, false);
  });

  test("off: the evaluation job applies no rule (not even the MSSP's) to that tenant's alerts; on: it does", async () => {
    const marker = `enf${Math.random().toString(36).slice(2, 8)}`;
    await env.as("msspAdmin", (tx) =>
      createRule(tx, {
        tenantId: env.fx.tenants["mssp-a"],
        name: `assign ${marker}`,
        position: 1,
        enabled: true,
        definition: { match: "all", conditions: [{ field: "hostname", op: "contains", value: marker }], actions: { assignTo: env.fx.users.msspAnalyst, notify: [] } },
      } as never),
    );
    await setSetting("acme", "features.workflows", false);
    try {
      const off = await alertIn("acme-eu", { hostname: `${marker}-1` });
      const on = await alertIn("globex", { hostname: `${marker}-2` });
      assert.deepEqual((await evaluateAlert(env.fx.tenants["acme-eu"], off)).matched, []);
      assert.equal((await statusOf(off)).assigned_to, null);
      const applied = await evaluateAlert(env.fx.tenants.globex, on);
      assert.equal(applied.matched.length, 1);
      assert.equal((await statusOf(on)).assigned_to, env.fx.users.msspAnalyst);
    } finally {
      await clearSetting("acme", "features.workflows");
      await env.owner("update public.workflow_rules set enabled = false where name = $1", [`assign ${marker}`]);
    }
  });
});

describe("limits.users", () => {
  test("members + open invitations past the limit: the invitation is refused with the number, nothing sent, audited; below it: sent", async () => {
    const [{ members, open }] = await env.owner<{ members: number; open: number }>(
      `select (select count(*)::int from public.memberships where tenant_id = $1) as members,
              (select count(*)::int from public.invitations where tenant_id = $1 and accepted_at is null and revoked_at is null and expires_at > now()) as open`,
      [env.fx.tenants.globex],
    );
    const limit = members + open + 1;
    await setSetting("globex", "limits.users", limit);
    try {
      // Below the line: one more fits.
      const first = await act(INVITE, "globexAdmin", hostOf("globex"), { tenantId: env.fx.tenants.globex, email: "fits@example.test", role: "tenant_viewer" });
      assert.equal(first.ok, true, first.error);
      // At the line: the next is refused.
      const { result, changed, audit } = await observe(() =>
        act(INVITE, "globexAdmin", hostOf("globex"), { tenantId: env.fx.tenants.globex, email: "over@example.test", role: "tenant_viewer" }),
      );
      assert.equal(result.ok, false);
      const name = await nameOf("globex");
      assert.equal(
        result.error,
        `${name} may have at most ${limit} users (members and open invitations, its configured limit); it has ${members} member${members === 1 ? "" : "s"} and ${open + 1} open invitation${open + 1 === 1 ? "" : "s"}. Revoke an invitation or remove a member first, or ask your MSSP to raise the limit; nothing was changed.`,
      );
      assert.deepEqual(changed.filter((t) => t !== "public.audit_log"), [], "no invitation, no mail queued");
      assert.deepEqual(
        audit.map((r) => [r.action, r.outcome, r.details.reason, r.details.setting, r.details.limit]),
        [["team:invite", "denied", "rule", "limits.users", limit]],
      );
      const [{ n }] = await env.owner<{ n: number }>("select count(*)::int as n from public.invitations where email = 'over@example.test'");
      assert.equal(n, 0);
    } finally {
      await clearSetting("globex", "limits.users");
    }
    // The default (50) leaves room again.
    const later = await act(INVITE, "globexAdmin", hostOf("globex"), { tenantId: env.fx.tenants.globex, email: "over@example.test", role: "tenant_viewer" });
    assert.equal(later.ok, true, later.error);
  });
});
