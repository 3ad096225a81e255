// Assignee groups (issue 10 item 4, "assign to group X") against a real
// Postgres with RLS forced: who may create, rename, fill and delete groups in
// which tenant; who may be a member; that an alert takes only a group of its
// own tenant or an ancestor, whoever writes (the database refuses, not only
// the app); the timeline; inherited groups seen from below; eligibility kept
// after a role change and after a subtree moves.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { ActionRefusal } from "@/lib/actions/refusal";
import { addGroupMember, createGroup, deleteGroup, groupsFor, listOwnGroups, removeGroupMember, renameGroup } from "@/lib/groups";
import { triageAlert } from "@/lib/alerts/triage";
import { loadAlertDetail } from "@/lib/alerts/detail";
import { insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { asOwnerRolledBack, attempt, assertRefused } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;

before(async () => {
  process.env.NEXTAUTH_SECRET = "groups-db-test-secret";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

const as = <T>(user: UserName, fn: (tx: TenantTx) => Promise<T>) => withTenant({ userId: fx.users[user] }, fn);
const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
let n = 0;
const unique = (p: string) => `${p} ${++n}`;

async function ownerGroup(tenant: string, name = unique("grp")): Promise<string> {
  const [g] = await owner<{ id: string }>(`insert into public.assignee_groups (tenant_id, name) values ($1, $2) returning id`, [tenant, name]);
  return g.id;
}

describe("groups: RLS decides who changes which tenant's groups", () => {
  test("admins create, rename, fill and delete their own tenant's groups; names are unique per tenant, case ignored", async () => {
    const g = await as("acmeAdmin", (tx) => createGroup(tx, fx.tenants.acme, unique("Acme on-call")));
    await as("acmeAdmin", (tx) => addGroupMember(tx, fx.tenants.acme, g.id, fx.users.acmeAnalyst));
    // MSSP staff covering acme may be members of acme's groups.
    await as("msspAdmin", (tx) => addGroupMember(tx, fx.tenants.acme, g.id, fx.users.msspAnalyst));
    const listed = await as("acmeAdmin", (tx) => listOwnGroups(tx, fx.tenants.acme));
    const mine = listed.find((x) => x.id === g.id)!;
    // acme's admin does not see the MSSP's staff as users, but sees the membership exists (RLS on users hides the name).
    assert.ok(mine.members.some((m) => m.userId === fx.users.acmeAnalyst));
    const [{ count }] = await owner<{ count: number }>(`select count(*)::int as count from public.assignee_group_members where group_id = $1`, [g.id]);
    assert.equal(count, 2);

    await assert.rejects(as("acmeAdmin", (tx) => createGroup(tx, fx.tenants.acme, `  ${g.name.toUpperCase()} `.trim())), /already a group named/);
    // The same name in another tenant is fine.
    await as("globexAdmin", (tx) => createGroup(tx, fx.tenants.globex, g.name));
    const renamed = await as("acmeAdmin", (tx) => renameGroup(tx, fx.tenants.acme, g.id, `${g.name} (renamed)`));
    assert.equal(renamed.from, g.name);
    await as("acmeAdmin", (tx) => removeGroupMember(tx, fx.tenants.acme, g.id, fx.users.acmeAnalyst));
    const gone = await as("acmeAdmin", (tx) => deleteGroup(tx, fx.tenants.acme, g.id));
    assert.equal(gone.name, `${g.name} (renamed)`);
    assert.equal((await owner(`select 1 from public.assignee_group_members where group_id = $1`, [g.id])).length, 0, "members go with their group");
  });

  test("another tenant's group is invisible and unwritable: acme's admin on globex, globex's admin on acme, the other MSSP", async () => {
    const acmeGroup = await ownerGroup(fx.tenants.acme);
    for (const user of ["globexAdmin", "otherCoAdmin", "msspBAdmin"] as const) {
      const outcome = await as(user, async (tx) => ({
        seen: (await tx.client.query(`select 1 from public.assignee_groups where id = $1`, [acmeGroup])).rowCount,
        renamed: (await tx.client.query(`update public.assignee_groups set name = 'pwned' where id = $1`, [acmeGroup])).rowCount,
        deleted: (await tx.client.query(`delete from public.assignee_groups where id = $1`, [acmeGroup])).rowCount,
        inherited: (await groupsFor(tx.client, fx.tenants.acme)).length,
        inserted: await attempt(tx.client, `insert into public.assignee_groups (tenant_id, name) values ($1, 'planted')`, [fx.tenants.acme]),
        // Someone acme's alerts may be given to, so only RLS can refuse it.
        member: await attempt(tx.client, `insert into public.assignee_group_members (tenant_id, group_id, user_id) values ($1, $2, $3)`, [fx.tenants.acme, acmeGroup, fx.users.acmeAnalyst]),
      }));
      assert.deepEqual([outcome.seen, outcome.renamed, outcome.deleted, outcome.inherited], [0, 0, 0, 0], user);
      assertRefused(outcome.inserted);
      assertRefused(outcome.member);
      await assert.rejects(as(user, (tx) => renameGroup(tx, fx.tenants.acme, acmeGroup, "x")), (e) => e instanceof ActionRefusal && /not here/.test(e.message));
    }
    const [row] = await owner<{ name: string }>(`select name from public.assignee_groups where id = $1`, [acmeGroup]);
    assert.notEqual(row.name, "pwned");
  });

  test("analysts and viewers read their tenant's groups but change nothing", async () => {
    const g = await ownerGroup(fx.tenants.acme);
    for (const user of ["acmeAnalyst", "acmeViewer", "msspAnalyst"] as const) {
      const r = await as(user, async (tx) => ({
        seen: (await tx.client.query(`select 1 from public.assignee_groups where id = $1`, [g])).rowCount,
        renamed: (await tx.client.query(`update public.assignee_groups set name = 'x' where id = $1`, [g])).rowCount,
        deleted: (await tx.client.query(`delete from public.assignee_groups where id = $1`, [g])).rowCount,
        inserted: await attempt(tx.client, `insert into public.assignee_groups (tenant_id, name) values ($1, 'planted')`, [fx.tenants.acme]),
      }));
      assert.deepEqual([r.seen, r.renamed, r.deleted], [1, 0, 0], user);
      assertRefused(r.inserted);
    }
  });

  test("only people who may be assigned the tenant's alerts can be members (a viewer, another customer's admin: refused by the database)", async () => {
    const g = await ownerGroup(fx.tenants.acme);
    for (const user of ["acmeViewer", "globexAdmin", "msspBAdmin", "noMemberships"] as const) {
      await assert.rejects(as("msspAdmin", (tx) => addGroupMember(tx, fx.tenants.acme, g, fx.users[user])), /cannot be in this group/, user);
      const o = await withClient(db.url, (c) => asOwnerRolledBack(c, `insert into public.assignee_group_members (tenant_id, group_id, user_id) values ($1, $2, $3)`, [fx.tenants.acme, g, fx.users[user]]));
      assertRefused(o, "23514");
    }
    // A site's admin is not assignable at the customer above it.
    await assert.rejects(as("acmeAdmin", (tx) => addGroupMember(tx, fx.tenants.acme, g, fx.users.acmeEuAdmin)), /cannot be in this group/);
  });
});

describe("an alert's group", () => {
  test("a group of tenant B cannot be given to an alert of tenant A: the database refuses, whoever writes", async () => {
    const globexGroup = await ownerGroup(fx.tenants.globex);
    const siteGroup = await ownerGroup(fx.tenants["acme-eu"]);
    const alert = fx.alerts.acme[1];
    // The owner (bypassing RLS), on update and on insert.
    const upd = await withClient(db.url, (c) =>
      asOwnerRolledBack(c, `update public.alerts set assigned_group_tenant_id = $2, assigned_group_id = $3 where id = $1`, [alert, fx.tenants.globex, globexGroup]),
    );
    assertRefused(upd, "23514");
    const ins = await withClient(db.url, (c) =>
      asOwnerRolledBack(c, `insert into public.alerts (tenant_id, title, severity, source, assigned_group_tenant_id, assigned_group_id) values ($1, 'x', 'low', 't', $2, $3)`, [
        fx.tenants.acme,
        fx.tenants.globex,
        globexGroup,
      ]),
    );
    assertRefused(ins, "23514");
    // A group of a tenant below the alert's is not usable either (groups inherit downwards only).
    assertRefused(
      await withClient(db.url, (c) => asOwnerRolledBack(c, `update public.alerts set assigned_group_tenant_id = $2, assigned_group_id = $3 where id = $1`, [alert, fx.tenants["acme-eu"], siteGroup])),
      "23514",
    );
    // Pretending the foreign group is acme's (its id under acme's tenant id): no such group, the foreign key refuses.
    assertRefused(
      await withClient(db.url, (c) => asOwnerRolledBack(c, `update public.alerts set assigned_group_tenant_id = $2, assigned_group_id = $3 where id = $1`, [alert, fx.tenants.acme, globexGroup])),
      "23514",
    );
    // The MSSP admin, through the triage path: a clear sentence.
    await assert.rejects(
      as("msspAdmin", (tx) => triageAlert(tx, fx.tenants.acme, alert, { kind: "group", group: { tenantId: fx.tenants.globex, id: globexGroup } })),
      (e) => e instanceof ActionRefusal && /That group cannot be given this alert/.test(e.message),
    );
    const [a] = await owner<{ assigned_group_id: string | null }>(`select assigned_group_id from public.alerts where id = $1`, [alert]);
    assert.equal(a.assigned_group_id, null);
  });

  test("the alert's own tenant's group and an ancestor's (inherited) are accepted; each change is on the timeline; deleting the group clears it", async () => {
    const mssp = await ownerGroup(fx.tenants["mssp-a"], unique("Tier 1 SOC"));
    await owner(`insert into public.assignee_group_members (tenant_id, group_id, user_id) values ($1, $2, $3)`, [fx.tenants["mssp-a"], mssp, fx.users.msspAnalyst]);
    const site = fx.alerts["acme-eu"][1];
    // acme's analyst sees the MSSP's group as inherited (name and count only), and gives it to a site alert.
    const seen = await as("acmeAnalyst", (tx) => groupsFor(tx.client, fx.tenants["acme-eu"]));
    const inherited = seen.find((g) => g.id === mssp)!;
    assert.deepEqual([inherited.inherited, inherited.memberCount, inherited.tenantName], [true, 1, "Tenant mssp-a"]);
    await as("acmeAnalyst", (tx) => triageAlert(tx, fx.tenants["acme-eu"], site, { kind: "group", group: { tenantId: fx.tenants["mssp-a"], id: mssp } }));
    const detail = await as("acmeAnalyst", (tx) => loadAlertDetail(tx, site, new Date()));
    assert.equal(detail!.alert.assignedGroup?.name, inherited.name);
    const entry = detail!.timeline.find((e) => e.kind === "group")!;
    assert.deepEqual([entry.actorName !== null, entry.groupSet, entry.body], [true, true, inherited.name]);

    await owner(`delete from public.assignee_groups where id = $1`, [mssp]);
    const [a] = await owner<{ assigned_group_id: string | null; assigned_group_tenant_id: string | null }>(
      `select assigned_group_id, assigned_group_tenant_id from public.alerts where id = $1`,
      [site],
    );
    assert.deepEqual(a, { assigned_group_id: null, assigned_group_tenant_id: null });
    const events = await owner<{ body: string; to_group: string | null }>(`select body, to_group from public.alert_events where alert_id = $1 and kind = 'group' order by created_at`, [site]);
    assert.equal(events.length, 2);
    assert.equal(events[1].to_group, null);
    assert.equal(events[1].body, inherited.name, "the removal names the deleted group");
  });

  test("a person who loses the role that made them assignable leaves the group; a moved subtree loses groups and members it no longer inherits", async () => {
    const g = await ownerGroup(fx.tenants.acme);
    const [u] = await owner<{ id: string }>(`insert into public.users (email, name, password_hash) values ($1, 'Temp', 'x') returning id`, [`${unique("temp").replace(" ", "")}@example.test`]);
    await owner(`insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'tenant_analyst')`, [fx.tenants.acme, u.id]);
    await owner(`insert into public.assignee_group_members (tenant_id, group_id, user_id) values ($1, $2, $3)`, [fx.tenants.acme, g, u.id]);
    await owner(`update public.memberships set role = 'tenant_viewer' where user_id = $1`, [u.id]);
    assert.equal((await owner(`select 1 from public.assignee_group_members where user_id = $1`, [u.id])).length, 0);

    // globex moves from mssp-a to mssp-b: the mssp-a group on its alert goes, mssp-a's analyst leaves globex's group.
    const msspGroup = await ownerGroup(fx.tenants["mssp-a"]);
    const globexGroup = await ownerGroup(fx.tenants.globex);
    await owner(`insert into public.assignee_group_members (tenant_id, group_id, user_id) values ($1, $2, $3), ($1, $2, $4)`, [
      fx.tenants.globex,
      globexGroup,
      fx.users.msspAnalyst,
      fx.users.globexAdmin,
    ]);
    const alert = fx.alerts.globex[1];
    await owner(`update public.alerts set assigned_group_tenant_id = $2, assigned_group_id = $3 where id = $1`, [alert, fx.tenants["mssp-a"], msspGroup]);
    await owner(`update public.tenants set parent_id = $2 where id = $1`, [fx.tenants.globex, fx.tenants["mssp-b"]]);
    try {
      const [a] = await owner<{ assigned_group_id: string | null }>(`select assigned_group_id from public.alerts where id = $1`, [alert]);
      assert.equal(a.assigned_group_id, null);
      const members = await owner<{ user_id: string }>(`select user_id from public.assignee_group_members where group_id = $1`, [globexGroup]);
      assert.deepEqual(members.map((m) => m.user_id), [fx.users.globexAdmin]);
    } finally {
      await owner(`update public.tenants set parent_id = $2 where id = $1`, [fx.tenants.globex, fx.tenants["mssp-a"]]);
    }
  });
});
