// Migration 20261201027400: TEMPORARY is revoked from PUBLIC and granted to service_role. The
// portal's login and its request roles cannot make temporary objects (the pg_temp shadowing of
// 20261201027300 needed one); service_role still can (an archive restore's user map), and the
// owner's helpers still keep an MSSP caller's visible set in their own temporary table.
import assert from "node:assert/strict";
import { test } from "node:test";
import { withTenant } from "@/lib/db/with-tenant";
import { useFixtureEnv } from "./helpers/fixture-env";
import { withClient } from "./helpers/test-database";

const env = useFixtureEnv();

/** Tries a temporary table as portal_app, after `setup` (a role switch), in a rolled-back transaction. */
async function tempAs(setup: string | null): Promise<string> {
  return withClient(env.db.appUrl, async (c) => {
    await c.query("begin");
    try {
      if (setup) await c.query(setup);
      await c.query("create temporary table planted (i int)");
      return "created";
    } catch (e) {
      return (e as { code?: string }).code ?? String(e);
    } finally {
      await c.query("rollback");
    }
  });
}

test("portal_app, anon and authenticated cannot create temporary objects; service_role can", async () => {
  assert.equal(await tempAs(null), "42501", "portal_app itself");
  assert.equal(await tempAs("set local role authenticated"), "42501");
  assert.equal(await tempAs("set local role anon"), "42501");
  assert.equal(await tempAs("set local role service_role"), "created");
  const [row] = await env.owner<{ public_temp: boolean; granted: string[] }>(
    `select exists (select 1 from pg_database d, aclexplode(d.datacl) a where d.datname = current_database() and a.grantee = 0 and a.privilege_type = 'TEMPORARY') as public_temp,
            array(select r.rolname::text from pg_database d, aclexplode(d.datacl) a join pg_roles r on r.oid = a.grantee
                   where d.datname = current_database() and a.privilege_type = 'TEMPORARY' order by 1) as granted`,
  );
  assert.equal(row.public_temp, false, "PUBLIC holds no TEMPORARY");
  assert.ok(row.granted.includes("service_role"), row.granted.join(","));
  assert.ok(!row.granted.some((r) => ["anon", "authenticated", "portal_app"].includes(r)), row.granted.join(","));
});

test("the request path is unchanged: an MSSP admin's statements through RLS (the helpers' own temporary table)", async () => {
  const seen = await withTenant({ userId: env.fx.users.msspAdmin, activeTenantId: null }, async (tx) => {
    const { rows } = await tx.client.query<{ n: number }>("select count(*)::int as n from public.tenants");
    return rows[0].n;
  });
  const [all] = await env.owner<{ n: number }>("select count(*)::int as n from public.tenants t where t.path operator(extensions.<@) (select path from public.tenants where id = $1)", [env.fx.tenants["mssp-a"]]);
  assert.equal(seen, all.n);
});
