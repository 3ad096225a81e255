// A row never moves to another tenant (issue 9, finding 4). Before migration
// 20261130000500 an MSSP admin could re-home an alert from acme to globex:
// both tenants pass the alerts update policy (USING on the old row, WITH CHECK
// on the new), so the UPDATE of tenant_id went through. Now a trigger on every
// tenant-scoped table refuses any UPDATE that changes tenant_id (tenants.id for
// the tree), for every role, the owner included (42501 with its own message,
// before any policy, foreign-key or unique check); the guard below fails when a
// table with a tenant_id column lacks it. Tenants move by parent_id, which
// stays allowed (the lifecycle's move).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { asOwnerRolledBack, asRolledBack, assertRefused, assertRows, attempt, type Outcome } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const db: TestDatabase = await createTestDatabase();
let fx: Fixtures;
before(async () => {
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

/** Refused by the guard itself (not by RLS, which also answers 42501). */
function assertImmutable(o: Outcome): void {
  assertRefused(o, "42501");
  if (!o.ok) assert.match(o.message, /: (tenant_id|id) cannot change \(a row never moves to another tenant\)/);
}

describe("re-homing a row to another tenant the caller can write", () => {
  test("an MSSP admin under RLS cannot move an alert from acme to globex", async () => {
    const [moved, control] = await asRolledBack(fx, "msspAdmin", async ({ client }) => [
      // The second alert references no asset, so only the tenant changes.
      await attempt(client, "update public.alerts set tenant_id = $1 where tenant_id = $2 and id = $3", [fx.tenants.globex, fx.tenants.acme, fx.alerts.acme[1]]),
      // Control: the same caller may update the same row in place.
      await attempt(client, "update public.alerts set status = 'acknowledged' where tenant_id = $1 and id = $2", [fx.tenants.acme, fx.alerts.acme[1]]),
    ]);
    // Signed-in people hold no UPDATE on alerts.tenant_id at all (20261201028100): the grant refuses it before the
    // guard (which still refuses it for the owner and the service role, below).
    assertRefused(moved, "42501");
    if (!moved.ok) assert.match(moved.message, /permission denied for table alerts/);
    assertRows(control, 1);
    const { rows } = await withClient(db.url, (c) => c.query("select tenant_id from public.alerts where id = $1", [fx.alerts.acme[1]]));
    assert.deepEqual(rows, [{ tenant_id: fx.tenants.acme }]);
  });

  test("nor an asset or a membership; nor a tenant admin moving its site's alerts up to its customer", async () => {
    const outcomes = await asRolledBack(fx, "msspAdmin", async ({ client }) => [
      await attempt(client, "update public.assets set tenant_id = $1 where tenant_id = $2 and id = $3", [fx.tenants.globex, fx.tenants.acme, fx.assets.acme[1]]),
      await attempt(client, "update public.memberships set tenant_id = $1 where tenant_id = $2", [fx.tenants.globex, fx.tenants.acme]),
    ]);
    // Signed-in people hold no UPDATE on assets.tenant_id (20261201031100: only ingestion's columns): the grant refuses it.
    assertRefused(outcomes[0], "42501");
    if (!outcomes[0].ok) assert.match(outcomes[0].message, /permission denied for table assets/);
    assertRefused(outcomes[1]); // no UPDATE privilege on memberships.tenant_id at all
    const site = await asRolledBack(fx, "acmeAdmin", ({ client }) =>
      attempt(client, "update public.alerts set tenant_id = $1, asset_id = null where tenant_id = $2", [fx.tenants.acme, fx.tenants["acme-eu"]]),
    );
    assertRefused(site, "42501"); // the column grant (tenant_id and asset_id are not a signed-in person's to update)
  });

  test("the service role and the owner are refused too; a tenant's id cannot change", async () => {
    await withClient(db.url, async (c) => {
      assertImmutable(await asOwnerRolledBack(c, "update public.alerts set tenant_id = $1, asset_id = null where tenant_id = $2", [fx.tenants.globex, fx.tenants.acme]));
      assertImmutable(await asOwnerRolledBack(c, "update public.tenants set id = gen_random_uuid() where id = $1", [fx.tenants["acme-eu"]]));
      assertImmutable(await asOwnerRolledBack(c, "update keyring.tenant_keys set tenant_id = $1 where tenant_id = $2", [fx.tenants.globex, fx.tenants.acme]));
      await c.query("begin");
      try {
        await c.query("set local role service_role");
        assertImmutable(await attempt(c, "update public.alerts set tenant_id = $1, asset_id = null where tenant_id = $2", [fx.tenants.globex, fx.tenants.acme]));
      } finally {
        await c.query("rollback");
      }
    });
  });

  test("control: a tenant still moves by parent_id, and setting tenant_id to itself is fine", async () => {
    await withClient(db.url, async (c) => {
      assertRows(await asOwnerRolledBack(c, "update public.tenants set parent_id = $1 where id = $2", [fx.tenants.globex, fx.tenants["acme-eu"]]), 1);
      assertRows(await asOwnerRolledBack(c, "update public.alerts set tenant_id = tenant_id where tenant_id = $1", [fx.tenants.acme]), 2);
    });
  });
});

// Every table with a tenant_id column, in every schema but the system ones.
const TENANT_TABLES = `
  select format('%I.%I', n.nspname, c.relname) as t, 'tenant_id' as col, c.oid
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.relkind in ('r', 'p')
     and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
     and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and a.attnum > 0 and not a.attisdropped)
  union all
  select 'public.tenants', 'id', 'public.tenants'::regclass::oid`;
// Those without an enabled guard on that column.
const UNGUARDED = `
  with t as (${TENANT_TABLES})
  select t.t from t
   where not exists (
     select 1 from pg_trigger g
      where g.tgrelid = t.oid and g.tgfoid = 'tenancy.refuse_tenant_id_change()'::regprocedure
        and g.tgenabled <> 'D' and (g.tgtype & 16) = 16 and (g.tgtype & 2) = 2 and (g.tgtype & 1) = 1 -- BEFORE UPDATE FOR EACH ROW
        and encode(g.tgargs, 'escape') = t.col || '\\000')
   order by 1`;

describe("every tenant-scoped table carries the guard", () => {
  test("found from the catalog: none lacks it", async () => {
    const { tables, unguarded } = await withClient(db.url, async (c) => ({
      tables: (await c.query<{ t: string }>(`with t as (${TENANT_TABLES}) select t from t order by 1`)).rows.map((r) => r.t),
      unguarded: (await c.query<{ t: string }>(UNGUARDED)).rows.map((r) => r.t),
    }));
    for (const t of ["public.tenants", "public.alerts", "public.assets", "public.memberships", "public.credentials", "public.jobs", "public.job_steps", "public.invitations", "public.audit_log", "keyring.tenant_keys", "audit.chain_heads"]) {
      assert.ok(tables.includes(t), `the catalog scan found ${t}`);
    }
    assert.deepEqual(unguarded, []);
  });

  test("control: a table added without the guard is reported, and add_tenant_id_guard fixes it", async () => {
    await withClient(db.url, async (c) => {
      await c.query("begin");
      try {
        await c.query("create table public.guard_probe (tenant_id uuid not null, x int)");
        assert.deepEqual((await c.query(UNGUARDED)).rows.map((r) => r.t), ["public.guard_probe"]);
        await c.query("alter table public.alerts disable trigger tenant_id_immutable");
        assert.deepEqual((await c.query(UNGUARDED)).rows.map((r) => r.t), ["public.alerts", "public.guard_probe"]);
        await c.query("alter table public.alerts enable trigger tenant_id_immutable");
        await c.query("select tenancy.add_tenant_id_guard('public.guard_probe')");
        assert.deepEqual((await c.query(UNGUARDED)).rows, []);
        await c.query("insert into public.guard_probe values ($1, 1)", [fx.tenants.acme]);
        assertImmutable(await attempt(c, "update public.guard_probe set tenant_id = $1", [fx.tenants.globex]));
      } finally {
        await c.query("rollback");
      }
    });
  });
});
