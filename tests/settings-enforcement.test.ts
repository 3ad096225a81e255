// What a tenant bought, enforced (issue 10's settings registry): features.alert_triage,
// features.workflows and limits.users, through the real server actions on a real
// Postgres and the real PDP. Each case crosses the line (refused with its
// message, nothing changed, a denied audit row naming the setting) and stays
// below it (a control that succeeds), and the flags inherit down the tree.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { auditMark, auditSince, callAction, changedTables, databaseState, enrolMfa, loadAction, ownerQuery, sessionCookie, type FormFields } from "./helpers/actions";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadAlertDetail } from "@/lib/alerts/detail";
import { loadAlertListPage } from "@/lib/alerts/page-data";
import { parseAlertFilters } from "@/lib/alerts/list";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { createRule } from "@/lib/rules";
import { evaluateAlert } from "@/lib/rules/engine";
import { loadWorkflowsPage } from "@/lib/rules/page-data";
import { ensureCerbos, type CerbosServer } from "@/scripts/lib/cerbos";
import { emailOf, insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let pdp: CerbosServer;
const CONSOLE = "localhost:3000";
const hostOf = (slug: TenantSlug) => `${slug}.localhost:3000`;
const person = (user: UserName) => ({ id: fx.users[user], email: emailOf(user), name: user });

before(async () => {
  pdp = await ensureCerbos({ quiet: true });
  process.env.CERBOS_URL = pdp.url;
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  for (const user of ["msspAdmin", "msspAnalyst"] as const) await enrolMfa(person(user));
  for (const user of Object.keys(fx.users) as UserName[]) await sessionCookie(person(user));
});
after(async () => {
  await db?.drop();
  await pdp?.stop();
});

type Result = { ok: boolean; error?: string; message?: string; data?: unknown };
async function act(id: string, user: UserName, host: string, fields: FormFields): Promise<Result> {
  return (await callAction(await loadAction(id), { person: person(user), host }, fields)) as Result;
}
async function observe(call: () => Promise<Result>) {
  const before = await databaseState(db.url);
  const mark = await auditMark(db.url);
  const result = await call();
  return { result, changed: changedTables(before, await databaseState(db.url)), audit: await auditSince(db.url, mark) };
}
const as = <T>(user: UserName, fn: (tx: TenantTx) => Promise<T>) => withTenant({ userId: fx.users[user] }, fn);

async function setSetting(tenant: TenantSlug, key: string, value: unknown) {
  await ownerQuery(
    db.url,
    `insert into public.tenant_settings (tenant_id, key, value) values ($1, $2, $3::jsonb)
     on conflict (tenant_id, key) do update set value = excluded.value`,
    [fx.tenants[tenant], key, JSON.stringify(value)],
  );
}
async function clearSetting(tenant: TenantSlug, key: string) {
  await ownerQuery(db.url, "delete from public.tenant_settings where tenant_id = $1 and key = $2", [fx.tenants[tenant], key]);
}
async function nameOf(tenant: TenantSlug): Promise<string> {
  return (await ownerQuery<{ name: string }>(db.url, "select name from public.tenants where id = $1", [fx.tenants[tenant]]))[0].name;
}
async function alertIn(tenant: TenantSlug, fields: { hostname?: string } = {}): Promise<string> {
  const [row] = await ownerQuery<{ id: string }>(
    db.url,
    `insert into public.alerts (tenant_id, title, severity, source, status, hostname) values ($1, $2, 'critical', 'edr', 'new', $3) returning id`,
    [fx.tenants[tenant], `enforcement ${Math.random().toString(36).slice(2, 8)}`, fields.hostname ?? null],
  );
  return row.id;
}
const statusOf = async (id: string) => (await ownerQuery<{ status: string; assigned_to: string | null }>(db.url, "select status, assigned_to from public.alerts where id = $1", [id]))[0];

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
          [ACK, { tenantId: fx.tenants[tenant], alertId }, "alerts:acknowledge"],
          [COMMENT, { tenantId: fx.tenants[tenant], alertId, body: "looking" }, "alerts:comment"],
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
      const ok = await act(ACK, "msspAnalyst", CONSOLE, { tenantId: fx.tenants.globex, alertId: globexAlert });
      assert.equal(ok.ok, true, ok.error);
      assert.equal((await statusOf(globexAlert)).status, "acknowledged");
    } finally {
      await clearSetting("acme", "features.alert_triage");
    }
    // And once on again at acme, its analyst may acknowledge.
    const again = await alertIn("acme");
    const ok = await act(ACK, "acmeAnalyst", hostOf("acme"), { tenantId: fx.tenants.acme, alertId: again });
    assert.equal(ok.ok, true, ok.error);
  });

  test("bulk from the console: alerts of a tenant without triage are refused per row, the others change", async () => {
    await setSetting("acme", "features.alert_triage", false);
    try {
      const off = await alertIn("acme");
      const on = await alertIn("globex");
      const result = await act(BULK_ACK, "msspAnalyst", CONSOLE, {
        tenantId: fx.tenants["mssp-a"],
        alerts: `${fx.tenants.acme}:${off},${fx.tenants.globex}:${on}`,
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
      const only = await act(BULK_ACK, "msspAnalyst", CONSOLE, { tenantId: fx.tenants["mssp-a"], alerts: `${fx.tenants.acme}:${off}` });
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
      const [offView, onView] = await as("msspAnalyst", async (tx) => [await loadAlertDetail(tx, off, new Date()), await loadAlertDetail(tx, on, new Date())]);
      assert.deepEqual([offView!.canTriage, offView!.nextStatuses.length, offView!.assignees.length], [false, 0, 0]);
      assert.equal(onView!.canTriage, true);
      assert.ok(onView!.nextStatuses.length > 0);
      const list = await as("acmeAnalyst", (tx) => loadAlertListPage(tx, parseAlertFilters({}).filters, fx.tenants.acme, new Date()));
      assert.equal(list.canBulk, false);
      assert.ok(list.alerts.rows.length > 0 && list.alerts.rows.every((r) => !r.selectable));
    } finally {
      await clearSetting("acme", "features.alert_triage");
    }
    const list = await as("acmeAnalyst", (tx) => loadAlertListPage(tx, parseAlertFilters({}).filters, fx.tenants.acme, new Date()));
    assert.equal(list.canBulk, true, "control: the same page offers bulk triage once the feature is on");
  });
});

describe("features.workflows", () => {
  const channel = (tenant: TenantSlug) => ({ tenantId: fx.tenants[tenant], name: `ops ${Math.random().toString(36).slice(2, 8)}`, kind: "email", recipients: "soc@example.test" });

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
      const page = await as("acmeAdmin", (tx) => loadWorkflowsPage(tx, fx.tenants.acme, name));
      assert.deepEqual([page.disabled, page.canManage, page.rules.length, page.channels.length], [true, false, 0, 0]);
    } finally {
      await clearSetting("acme", "features.workflows");
    }
    const ok = await act(CREATE_CHANNEL, "acmeAdmin", hostOf("acme"), channel("acme"));
    assert.equal(ok.ok, true, ok.error);
    const page = await as("acmeAdmin", (tx) => loadWorkflowsPage(tx, fx.tenants.acme, "Acme"));
    assert.equal(page.disabled, false);
  });

  test("off: the evaluation job applies no rule (not even the MSSP's) to that tenant's alerts; on: it does", async () => {
    const marker = `enf${Math.random().toString(36).slice(2, 8)}`;
    await as("msspAdmin", (tx) =>
      createRule(tx, {
        tenantId: fx.tenants["mssp-a"],
        name: `assign ${marker}`,
        position: 1,
        enabled: true,
        definition: { match: "all", conditions: [{ field: "hostname", op: "contains", value: marker }], actions: { assignTo: fx.users.msspAnalyst, notify: [] } },
      } as never),
    );
    await setSetting("acme", "features.workflows", false);
    try {
      const off = await alertIn("acme-eu", { hostname: `${marker}-1` });
      const on = await alertIn("globex", { hostname: `${marker}-2` });
      assert.deepEqual((await evaluateAlert(fx.tenants["acme-eu"], off)).matched, []);
      assert.equal((await statusOf(off)).assigned_to, null);
      const applied = await evaluateAlert(fx.tenants.globex, on);
      assert.equal(applied.matched.length, 1);
      assert.equal((await statusOf(on)).assigned_to, fx.users.msspAnalyst);
    } finally {
      await clearSetting("acme", "features.workflows");
      await ownerQuery(db.url, "update public.workflow_rules set enabled = false where name = $1", [`assign ${marker}`]);
    }
  });
});

describe("limits.users", () => {
  test("members + open invitations past the limit: the invitation is refused with the number, nothing sent, audited; below it: sent", async () => {
    const [{ members, open }] = await ownerQuery<{ members: number; open: number }>(
      db.url,
      `select (select count(*)::int from public.memberships where tenant_id = $1) as members,
              (select count(*)::int from public.invitations where tenant_id = $1 and accepted_at is null and revoked_at is null and expires_at > now()) as open`,
      [fx.tenants.globex],
    );
    const limit = members + open + 1;
    await setSetting("globex", "limits.users", limit);
    try {
      // Below the line: one more fits.
      const first = await act(INVITE, "globexAdmin", hostOf("globex"), { tenantId: fx.tenants.globex, email: "fits@example.test", role: "tenant_viewer" });
      assert.equal(first.ok, true, first.error);
      // At the line: the next is refused.
      const { result, changed, audit } = await observe(() =>
        act(INVITE, "globexAdmin", hostOf("globex"), { tenantId: fx.tenants.globex, email: "over@example.test", role: "tenant_viewer" }),
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
      const [{ n }] = await ownerQuery<{ n: number }>(db.url, "select count(*)::int as n from public.invitations where email = 'over@example.test'");
      assert.equal(n, 0);
    } finally {
      await clearSetting("globex", "limits.users");
    }
    // The default (50) leaves room again.
    const later = await act(INVITE, "globexAdmin", hostOf("globex"), { tenantId: fx.tenants.globex, email: "over@example.test", role: "tenant_viewer" });
    assert.equal(later.ok, true, later.error);
  });
});
