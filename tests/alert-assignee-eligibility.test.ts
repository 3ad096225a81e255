// An open alert stays assigned only to someone who may still be assigned it
// (migration 20261201029800): a member removed, made a viewer, or left behind
// by a tenant move loses their open alerts (closed ones keep them as history;
// a reopened one drops them), with a timeline entry; and the pages label a
// person the caller cannot see honestly (lib/alerts/people.ts): "MSSP staff"
// only for MSSP staff, "a former member" for someone no longer covering the
// alert's tenant.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadAlertDetail, timelineOf } from "@/lib/alerts/detail";
import { listAlerts } from "@/lib/alerts/list";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { useFixtureEnv } from "./helpers/fixture-env";
import { type TenantSlug, type UserName } from "./helpers/fixtures";

const env = useFixtureEnv();
const as = <T>(user: UserName, tenant: TenantSlug, fn: (tx: TenantTx) => Promise<T>) =>
  withTenant({ userId: env.fx.users[user], activeTenantId: env.fx.tenants[tenant] }, fn);
let n = 0;

/** A new person ("Bob") with `role` on each tenant given. */
async function person(memberships: [TenantSlug, string][]): Promise<string> {
  const [u] = await env.owner<{ id: string }>(`insert into public.users (email, name, password_hash) values ($1, $2, 'x') returning id`, [`bob${++n}@example.test`, `Bob ${n}`]);
  for (const [tenant, role] of memberships) {
    await env.owner(`insert into public.memberships (tenant_id, user_id, role) values ($1, $2, $3)`, [env.fx.tenants[tenant], u.id, role]);
  }
  return u.id;
}

/** An alert of `tenant` assigned to `assignee` (an owner update, so the workflow guard checks eligibility). */
async function assignedAlert(tenant: TenantSlug, assignee: string, status = "acknowledged"): Promise<string> {
  const [a] = await env.owner<{ id: string }>(
    `insert into public.alerts (tenant_id, title, severity, source, status, detected_at, resolved_at, close_reason)
     values ($1, 'eligibility test', 'high', 'edr', 'new', now(), null, null) returning id`,
    [env.fx.tenants[tenant]],
  );
  await env.owner(`update public.alerts set assigned_to = $2 where id = $1`, [a.id, assignee]);
  if (status !== "new") await env.owner(`update public.alerts set status = 'acknowledged' where id = $1`, [a.id]);
  if (status === "resolved") await env.owner(`update public.alerts set status = 'resolved', close_reason = 'done' where id = $1`, [a.id]);
  return a.id;
}
const assigneeOf = async (id: string) => (await env.owner<{ assigned_to: string | null }>(`select assigned_to from public.alerts where id = $1`, [id]))[0].assigned_to;
const removeAs = (admin: UserName, tenant: TenantSlug, user: string) =>
  as(admin, tenant, (tx) => tx.client.query(`delete from public.memberships where tenant_id = $1 and user_id = $2`, [env.fx.tenants[tenant], user]));

describe("assignees kept eligible", () => {
  test("a member removed: their open alerts in that tenant and below are unassigned with a timeline entry; closed ones and other customers' stay", async () => {
    const bob = await person([["acme", "tenant_analyst"], ["globex", "tenant_analyst"]]);
    const open = await assignedAlert("acme", bob);
    const site = await assignedAlert("acme-eu", bob, "new");
    const closed = await assignedAlert("acme", bob, "resolved");
    const elsewhere = await assignedAlert("globex", bob);
    await removeAs("acmeAdmin", "acme", bob);

    assert.equal(await assigneeOf(open), null);
    assert.equal(await assigneeOf(site), null);
    assert.equal(await assigneeOf(closed), bob, "a closed alert keeps who handled it");
    assert.equal(await assigneeOf(elsewhere), bob, "still an analyst of globex");

    // The timeline says so, with the admin whose change caused it.
    const timeline = await as("acmeAdmin", "acme", async (tx) => timelineOf(tx, { tenantId: env.fx.tenants.acme, id: open, createdAt: new Date(0) }));
    const last = timeline[timeline.length - 1];
    assert.deepEqual([last.kind, last.actorName, last.fromAssignee, last.toAssignee], ["assignment", "acmeAdmin", "a former member", null]);

    // Back in "unassigned" for Acme's people.
    const unassigned = await as("acmeAdmin", "acme", (tx) => listAlerts(tx.db, { page: 1, assignee: "none", status: "open" }, 500));
    assert.ok(unassigned.rows.some((r) => r.id === open) && unassigned.rows.some((r) => r.id === site));
  });

  test("a role lowered to viewer unassigns; a role kept assignable does not", async () => {
    const bob = await person([["acme", "tenant_analyst"]]);
    const a = await assignedAlert("acme", bob);
    await as("acmeAdmin", "acme", (tx) => tx.client.query(`update public.memberships set role = 'tenant_admin' where tenant_id = $1 and user_id = $2`, [env.fx.tenants.acme, bob]));
    assert.equal(await assigneeOf(a), bob);
    await as("acmeAdmin", "acme", (tx) => tx.client.query(`update public.memberships set role = 'tenant_viewer' where tenant_id = $1 and user_id = $2`, [env.fx.tenants.acme, bob]));
    assert.equal(await assigneeOf(a), null);
  });

  test("someone still assignable through another membership keeps their alerts", async () => {
    // An Acme admin who is also an analyst of the site: removed from the site, still covers it from Acme.
    const bob = await person([["acme", "tenant_admin"], ["acme-eu", "tenant_analyst"]]);
    const a = await assignedAlert("acme-eu", bob);
    await removeAs("acmeAdmin", "acme-eu", bob);
    assert.equal(await assigneeOf(a), bob);
  });

  test("a customer moved to another MSSP: its open alerts lose the old MSSP's staff", async () => {
    const own = await person([["globex", "tenant_analyst"]]);
    const byMssp = await assignedAlert("globex", env.fx.users.msspAnalyst);
    const byOwn = await assignedAlert("globex", own);
    await env.owner(`update public.tenants set parent_id = $2 where id = $1`, [env.fx.tenants.globex, env.fx.tenants["mssp-b"]]);
    try {
      assert.equal(await assigneeOf(byMssp), null);
      assert.equal(await assigneeOf(byOwn), own);
    } finally {
      await env.owner(`update public.tenants set parent_id = $2 where id = $1`, [env.fx.tenants.globex, env.fx.tenants["mssp-a"]]);
    }
  });

  test("a closed alert of a former member, reopened, is unassigned", async () => {
    const bob = await person([["acme", "tenant_analyst"]]);
    const closed = await assignedAlert("acme", bob, "resolved");
    await removeAs("acmeAdmin", "acme", bob);
    assert.equal(await assigneeOf(closed), bob);
    await as("acmeAnalyst", "acme", (tx) => tx.client.query(`update public.alerts set status = 'in_progress' where id = $1`, [closed]));
    assert.equal(await assigneeOf(closed), null);
    // An eligible assignee stays on reopening.
    const kept = await assignedAlert("acme", env.fx.users.acmeAnalyst, "resolved");
    await as("acmeAnalyst", "acme", (tx) => tx.client.query(`update public.alerts set status = 'in_progress' where id = $1`, [kept]));
    assert.equal(await assigneeOf(kept), env.fx.users.acmeAnalyst);
  });
});

describe("people the caller cannot see, labelled honestly", () => {
  test("a former member reads as such, MSSP staff as MSSP staff, in the list, on the alert's page and in its timeline", async () => {
    const bob = await person([["acme", "tenant_analyst"]]);
    const bobs = await assignedAlert("acme", bob, "resolved");
    const mssps = await assignedAlert("acme", env.fx.users.msspAnalyst);
    await removeAs("acmeAdmin", "acme", bob);

    const page = await as("acmeAdmin", "acme", (tx) => listAlerts(tx.db, { page: 1 }, 500));
    assert.equal(page.rows.find((r) => r.id === bobs)?.assigneeName, "a former member");
    assert.equal(page.rows.find((r) => r.id === mssps)?.assigneeName, "MSSP staff");

    const detail = await as("acmeAdmin", "acme", (tx) => loadAlertDetail(tx, bobs, new Date(), env.fx.tenants.acme));
    assert.equal(detail?.alert.assigneeName, "a former member");
    const assignment = detail!.timeline.find((e) => e.kind === "assignment");
    assert.equal(assignment?.toAssignee, "a former member");
    const msspDetail = await as("acmeAdmin", "acme", (tx) => loadAlertDetail(tx, mssps, new Date(), env.fx.tenants.acme));
    assert.equal(msspDetail?.alert.assigneeName, "MSSP staff");

    // On the console too: Bob holds no membership any more, so nobody sees his name; the MSSP's own staff it names.
    const console = await withTenant({ userId: env.fx.users.msspAdmin, activeTenantId: null }, (tx) => listAlerts(tx.db, { page: 1 }, 500));
    assert.equal(console.rows.find((r) => r.id === bobs)?.assigneeName, "a former member");
    assert.equal(console.rows.find((r) => r.id === mssps)?.assigneeName, "msspAnalyst", "the MSSP sees its own staff by name");
  });

  test("a site's people see a customer admin above them as staff of a parent tenant, not as MSSP staff", async () => {
    const a = await assignedAlert("acme-eu", env.fx.users.acmeAdmin);
    const detail = await as("acmeEuAdmin", "acme-eu", (tx) => loadAlertDetail(tx, a, new Date(), env.fx.tenants["acme-eu"]));
    assert.equal(detail?.alert.assigneeName, "staff of a parent tenant");
  });

  test("workflows.people_standing answers nothing about another customer's alerts", async () => {
    const a = await assignedAlert("acme", env.fx.users.msspAnalyst);
    const rows = await as("globexAdmin", "globex", async (tx) =>
      (await tx.client.query(`select * from workflows.people_standing($1::uuid[], $2::uuid[], true)`, [[env.fx.tenants.acme], [a]])).rows,
    );
    assert.deepEqual(rows, []);
    // Control: Acme's admin gets the answer.
    const own = await as("acmeAdmin", "acme", async (tx) =>
      (await tx.client.query(`select standing from workflows.people_standing($1::uuid[], $2::uuid[], false)`, [[env.fx.tenants.acme], [a]])).rows,
    );
    assert.deepEqual(own, [{ standing: "mssp_staff" }]);
  });
});
