// The request-path helpers (migration 20261201013000) stay in PL/pgSQL, so
// Postgres keeps their plans per connection instead of planning them at
// every call (a SECURITY DEFINER SQL function with SET search_path is never
// inlined). A later migration that redefines one as LANGUAGE sql fails here.
// Their behaviour is the isolation matrix's (tests/rls-isolation.test.ts);
// here: the language, the attributes kept, and one answer per helper.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { withTenant } from "@/lib/db/with-tenant";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const HELPERS = [
  "tenancy.visible_tenant_ids()",
  "tenancy.tenant_ids_with_role(text[])",
  "tenancy.visible_ids()",
  "tenancy.ids_with_role(text[])",
  "tenancy.frozen_tenant_ids()",
  "tenancy.caller_admin_rank_on(uuid)",
  "tenancy.user_is_visible(uuid)",
  "tenancy.caller_paths(text[])",
  "tenancy.tenants_within(extensions.ltree[],extensions.ltree[])",
  "settings.effective(uuid[])",
  "settings.resolve(uuid[])",
  "settings.value_of(uuid,text)",
  "sessions.mfa_required(uuid)",
  "triage.is_assignable(uuid,uuid)",
  // Migration 20261201026400: the group and rule pickers, the usage tables' read policies, the dashboards' SLA targets.
  "workflows.groups_for(uuid)",
  "workflows.rules_for(uuid)",
  "usage.readable_tenant_ids()",
  "usage.readable_ids()",
  "analytics.sla_targets(uuid[])",
];

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

/** Each function's language, SECURITY DEFINER, volatility and settings, from the catalog. */
function attributesOf(functions: readonly string[]) {
  return withClient(db.url, async (c) =>
    (
      await c.query<{ f: string; lang: string; definer: boolean; volatile: string; config: string[] | null }>(
        `select p.oid::regprocedure::text as f, l.lanname as lang, p.prosecdef as definer, p.provolatile as volatile, p.proconfig as config
           from pg_proc p join pg_language l on l.oid = p.prolang
          where p.oid = any ($1::regprocedure[])`,
        [functions],
      )
    ).rows,
  );
}

test("every request-path helper is PL/pgSQL, still SECURITY DEFINER, STABLE, with search_path pg_catalog, pg_temp", async () => {
  const rows = await attributesOf(HELPERS);
  assert.equal(rows.length, HELPERS.length);
  for (const r of rows) {
    assert.equal(r.lang, "plpgsql", `${r.f} must stay PL/pgSQL (plans cached per connection): see migration 20261201013000`);
    assert.equal(r.definer, true, r.f);
    assert.equal(r.volatile, "s", r.f);
    assert.deepEqual(r.config, ["search_path=pg_catalog, pg_temp"], r.f);
  }
});

test("the helpers answer as before: an Acme admin sees Acme and its sites, is admin there, and reads its settings", async () => {
  const out = await withTenant({ userId: fx.users.acmeAdmin }, async ({ client }) => {
    const visible = (await client.query<{ id: string }>("select tenancy.visible_tenant_ids() as id")).rows.map((r) => r.id);
    const admin = (await client.query<{ id: string }>("select tenancy.tenant_ids_with_role('{tenant_admin}') as id")).rows.map((r) => r.id);
    const settings = (await client.query<{ tenant_id: string }>("select tenant_id from settings.effective($1::uuid[])", [[fx.tenants.acme, fx.tenants.globex]])).rows;
    return { visible, admin, settings };
  });
  assert.ok(out.visible.includes(fx.tenants.acme) && out.visible.includes(fx.tenants["acme-eu"]));
  assert.ok(!out.visible.includes(fx.tenants.globex));
  assert.deepEqual(new Set(out.admin), new Set(out.visible));
  assert.ok(out.settings.length > 0 && out.settings.every((r) => r.tenant_id === fx.tenants.acme), "settings.effective answers for acme only");
});

test("the page helpers wrapped by 20261201026400 answer as before: groups and rules of a visible tenant only, usage for its admin", async () => {
  const groupName = `helpers-group-${Date.now()}`;
  await withClient(db.url, async (c) => {
    await c.query("insert into public.assignee_groups (tenant_id, id, name) values ($1, gen_random_uuid(), $2)", [fx.tenants.acme, groupName]);
  });
  const asAcme = await withTenant({ userId: fx.users.acmeAdmin }, async ({ client }) => ({
    groups: (await client.query<{ name: string }>("select name from workflows.groups_for($1)", [fx.tenants.acme])).rows.map((r) => r.name),
    globexGroups: (await client.query("select 1 from workflows.groups_for($1)", [fx.tenants.globex])).rowCount,
    globexRules: (await client.query("select 1 from workflows.rules_for($1)", [fx.tenants.globex])).rowCount,
    usage: (await client.query<{ id: string }>("select usage.readable_tenant_ids() as id")).rows.map((r) => r.id),
  }));
  assert.ok(asAcme.groups.includes(groupName), "an Acme admin sees Acme's group");
  assert.equal(asAcme.globexGroups, 0, "nothing of a tenant the caller cannot see");
  assert.equal(asAcme.globexRules, 0);
  assert.ok(asAcme.usage.includes(fx.tenants.acme) && !asAcme.usage.includes(fx.tenants.globex));
});

// Called inside the helpers above at every statement (tenancy.memo_key by the memoised sets) or by the
// claims hook: PL/pgSQL since migration 20261201024100, for the same reason; security invoker.
const INVOKER_HELPERS = ["tenancy.memo_key(text)", "tenancy.active_tenant_id()", "tenancy.api_key_id()"];

test("the helpers' own helpers are PL/pgSQL too, STABLE, with search_path pg_catalog, pg_temp", async () => {
  const rows = await attributesOf(INVOKER_HELPERS);
  assert.equal(rows.length, INVOKER_HELPERS.length);
  for (const r of rows) {
    assert.equal(r.lang, "plpgsql", `${r.f} must stay PL/pgSQL: see migration 20261201024100`);
    assert.equal(r.definer, false, r.f);
    assert.equal(r.volatile, "s", r.f);
    assert.deepEqual(r.config, ["search_path=pg_catalog, pg_temp"], r.f);
  }
});
