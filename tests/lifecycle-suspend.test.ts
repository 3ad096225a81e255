// Suspension (issue 8, point 3) tried as each kind of user, on the real
// Postgres: a suspended customer's users (and its sites' users) see nothing
// at their next statement, MSSP staff still read it but nobody writes to it,
// other tenants are untouched, its jobs pause and carry on after resuming.
// And a guard: every tenant-scoped table carries the freeze policies.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { withServiceRole } from "@/lib/db/service-role";
import { enqueueServiceJob, getJobAsService, runJobsUntilIdle, type JobHandler } from "@/lib/jobs";
import { resumeTenant, suspendTenant } from "@/lib/lifecycle/suspend";
import { findTenantBySlug } from "@/lib/tenancy/resolve-host";
import { insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { as, assertRefused, attempt } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
});
after(async () => {
  await owner.end();
  await db.drop();
});

/** Refused, or matched no row: either way nothing changed. */
function noEffect(o: Awaited<ReturnType<typeof attempt>>) {
  if (o.ok) assert.equal(o.rowCount, 0, "the statement changed rows of a suspended tenant");
}

const lifecycle = <T>(fn: Parameters<typeof withServiceRole<T>>[1]) => withServiceRole("lifecycle.workflow", fn);
const alertsSeen = (user: UserName, slug: keyof Fixtures["tenants"]) =>
  as(fx, user, async (tx) => (await tx.client.query("select count(*)::int as n from public.alerts where tenant_id = $1", [fx.tenants[slug]])).rows[0].n as number);

describe("a suspended customer", () => {
  test("locks out its users and its sites' users at their next statement; staff read it; nobody writes", async () => {
    assert.equal(await alertsSeen("acmeViewer", "acme"), 2, "control: before");
    assert.equal(await alertsSeen("acmeEuAdmin", "acme-eu"), 2, "control: before");
    await lifecycle((sdb) => suspendTenant(sdb, fx.tenants.acme, "Invoice unpaid", fx.users.msspAdmin));

    for (const user of ["acmeAdmin", "acmeAnalyst", "acmeViewer"] as const) {
      assert.equal(await alertsSeen(user, "acme"), 0, `${user} sees acme's alerts`);
      assert.equal(await alertsSeen(user, "acme-eu"), 0, `${user} sees the site's alerts`);
      await as(fx, user, async (tx) => {
        const t = await tx.client.query("select id from public.tenants");
        assert.equal(t.rowCount, 0, `${user} still sees tenants`);
      });
    }
    assert.equal(await alertsSeen("acmeEuAdmin", "acme-eu"), 0, "a site below a suspended customer is suspended too");
    assert.equal(await alertsSeen("twoCustomers", "globex"), 2, "the same person's other customer is untouched");
    assert.equal(await alertsSeen("twoCustomers", "acme"), 0);

    // Staff above it: read, not write.
    assert.equal(await alertsSeen("msspAdmin", "acme"), 2);
    assert.equal(await alertsSeen("msspAnalyst", "acme-eu"), 2);
    await as(fx, "msspAdmin", async (tx) => {
      noEffect(await attempt(tx.client, "update public.alerts set status = 'acknowledged' where tenant_id = $1 and status = 'new'", [fx.tenants.acme]));
      assertRefused(await attempt(tx.client, "insert into public.assets (tenant_id, hostname) values ($1, 'x')", [fx.tenants["acme-us"]]));
      noEffect(await attempt(tx.client, "delete from public.alerts where tenant_id = $1", [fx.tenants["acme-eu"]]));
      assertRefused(await attempt(tx.client, "insert into public.tenant_settings (tenant_id, key, value) values ($1, 'session.mfa_required', 'true')", [fx.tenants.acme]));
      // Control: the same writes on an active customer work.
      const ok = await attempt(tx.client, "update public.alerts set status = 'acknowledged' where tenant_id = $1 and status = 'new'", [fx.tenants.globex]);
      assert.ok(ok.ok && ok.rowCount === 2, "control: writing to globex works");
    });
    const host = await findTenantBySlug("acme-eu");
    assert.deepEqual([host?.lockedAs, host?.providerName], ["suspended", "Tenant mssp-a"]);

    await lifecycle((sdb) => resumeTenant(sdb, fx.tenants.acme, fx.users.msspAdmin));
    assert.equal(await alertsSeen("acmeViewer", "acme"), 2, "resumed: visible again");
    assert.equal(await alertsSeen("acmeEuAdmin", "acme-eu"), 2);
    assert.equal((await findTenantBySlug("acme-eu"))?.lockedAs, null);
  });

  test("its jobs pause while suspended and run once it is resumed", async () => {
    const ran: string[] = [];
    const handler: JobHandler = { requires: "settings:manage", run: async (ctx) => (ran.push(ctx.job.tenantId), { result: {} }) };
    await lifecycle((sdb) => suspendTenant(sdb, fx.tenants.acme, "paused jobs", fx.users.msspAdmin));
    const paused = await enqueueServiceJob({ tenantId: fx.tenants["acme-eu"], kind: "test.pausable" });
    const other = await enqueueServiceJob({ tenantId: fx.tenants.globex, kind: "test.pausable" });
    await runJobsUntilIdle({ kinds: ["test.pausable"], handlers: { "test.pausable": handler } });
    assert.deepEqual(ran, [fx.tenants.globex], "only the active tenant's job ran");
    const waiting = await getJobAsService(fx.tenants["acme-eu"], paused.job.id);
    assert.equal(waiting?.status, "queued");
    assert.match(waiting?.lastError ?? "", /Paused: the tenant is suspended/);
    assert.equal((await getJobAsService(fx.tenants.globex, other.job.id))?.status, "succeeded");
    await lifecycle((sdb) => resumeTenant(sdb, fx.tenants.acme, fx.users.msspAdmin));
    await runJobsUntilIdle({ kinds: ["test.pausable"], handlers: { "test.pausable": handler } });
    assert.equal((await getJobAsService(fx.tenants["acme-eu"], paused.job.id))?.status, "succeeded");
  });

  test("refusals: an MSSP, a tenant already suspended, resuming an active one", async () => {
    await assert.rejects(lifecycle((sdb) => suspendTenant(sdb, fx.tenants["mssp-a"], "no", null)), /MSSP cannot be suspended/);
    await lifecycle((sdb) => suspendTenant(sdb, fx.tenants.globex, "once", null));
    await assert.rejects(lifecycle((sdb) => suspendTenant(sdb, fx.tenants.globex, "twice", null)), /already suspended/);
    await lifecycle((sdb) => resumeTenant(sdb, fx.tenants.globex, null));
    await assert.rejects(lifecycle((sdb) => resumeTenant(sdb, fx.tenants.globex, null)), /not suspended/);
    await assert.rejects(owner.query("update public.tenants set status = 'suspended' where id = $1", [fx.tenants["mssp-a"]]), /tenants_mssp_stays_active/);
  });
});

test("the frozen set names only tenants the caller can see (no other MSSP's suspended tenants)", async () => {
  const frozenSeenBy = (user: UserName) =>
    as(fx, user, async (tx) => (await tx.client.query<{ id: string }>("select id from tenancy.frozen_tenant_ids() as f(id)")).rows.map((r) => r.id).sort());
  await lifecycle((sdb) => suspendTenant(sdb, fx.tenants.acme, "frozen set", fx.users.msspAdmin));
  await lifecycle((sdb) => suspendTenant(sdb, fx.tenants["other-co"], "frozen set", fx.users.msspBAdmin));
  try {
    const acmeSubtree = [fx.tenants.acme, fx.tenants["acme-eu"], fx.tenants["acme-us"]].sort();
    assert.deepEqual(await frozenSeenBy("msspAdmin"), acmeSubtree, "MSSP A's staff: their own suspended customer, not MSSP B's");
    assert.deepEqual(await frozenSeenBy("msspBAdmin"), [fx.tenants["other-co"]], "MSSP B's staff: theirs only");
    assert.deepEqual(await frozenSeenBy("globexAdmin"), [], "another customer's admin learns nothing");
    assert.deepEqual(await frozenSeenBy("acmeAdmin"), [], "the suspended customer's own people see nothing at all");
    // The policies still refuse: staff above a frozen customer, and a person of another MSSP.
    await as(fx, "msspBAdmin", async (tx) => {
      assertRefused(await attempt(tx.client, "insert into public.assets (tenant_id, hostname) values ($1, 'y')", [fx.tenants["other-co"]]));
      assertRefused(await attempt(tx.client, "insert into public.assets (tenant_id, hostname) values ($1, 'y')", [fx.tenants.acme]));
    });
    await as(fx, "msspAdmin", async (tx) => {
      assertRefused(await attempt(tx.client, "insert into public.assets (tenant_id, hostname) values ($1, 'z')", [fx.tenants["acme-eu"]]));
    });
  } finally {
    await lifecycle((sdb) => resumeTenant(sdb, fx.tenants.acme, fx.users.msspAdmin));
    await lifecycle((sdb) => resumeTenant(sdb, fx.tenants["other-co"], fx.users.msspBAdmin));
  }
  assert.deepEqual(await frozenSeenBy("msspAdmin"), [], "nothing frozen: an empty set");
});

test("guard: every permissive write policy beside the freeze policies admits only visible tenants", async () => {
  // tenancy.frozen_tenant_ids() answers only the caller's visible tenants (20261201029200); that is the same
  // as the whole frozen set only while no permissive write policy admits a row of a tenant the caller cannot see.
  const { rows } = await owner.query<{ tbl: string; policy: string; expr: string }>(`
    select p.schemaname || '.' || p.tablename as tbl, p.policyname as policy,
           coalesce(p.qual, '') || ' / ' || coalesce(p.with_check, '') as expr
      from pg_policies p
     where p.permissive = 'PERMISSIVE' and p.cmd in ('INSERT', 'UPDATE', 'DELETE', 'ALL') and 'authenticated' = any (p.roles)
       and exists (select 1 from pg_policies f where f.schemaname = p.schemaname and f.tablename = p.tablename
                    and f.permissive = 'RESTRICTIVE' and f.policyname like 'Nothing % suspended or offboarded tenant')`);
  assert.ok(rows.length >= 8, `found ${rows.length} policies`);
  for (const r of rows) {
    const parts = r.expr.split(" / ").filter((x) => x !== "");
    for (const part of parts) {
      assert.match(part, /tenancy\.(visible_ids|ids_with_role|caller_admin_rank_on)\(/, `${r.tbl} "${r.policy}" may admit a tenant the caller cannot see: ${part}`);
    }
  }
});

test("guard: every tenant-scoped table with RLS carries the three freeze policies", async () => {
  const { rows } = await owner.query<{ tbl: string; n: number }>(`
    select c.oid::regclass::text as tbl,
           (select count(*)::int from pg_policies p
             where p.schemaname = n.nspname and p.tablename = c.relname and p.permissive = 'RESTRICTIVE'
               and p.policyname like 'Nothing % suspended or offboarded tenant') as n
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relrowsecurity and c.relname <> 'audit_log'
       and (c.relname = 'tenants' or exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped))`);
  assert.ok(rows.length >= 8, `found ${rows.length} tables`);
  for (const r of rows) assert.equal(r.n, 3, `${r.tbl} lacks the freeze policies (tenancy.add_frozen_write_policies)`);
});
