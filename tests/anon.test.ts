// The `anon` role reads and writes nothing, even when it carries the claims
// of an MSSP admin: on every table in `public`, each statement is denied
// (42501) or touches no row, and the owner sees the row counts unchanged.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type pg from "pg";
import { accessTokenHookEvent } from "@/lib/db/claims";
import { inTransaction } from "@/lib/db/with-tenant";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { attempt, type Outcome } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

// Every table in `public`, found at load time so a new table is covered
// without editing this file, each with its first column to write.
const db: TestDatabase = await createTestDatabase();
const TABLES: Record<string, string> = Object.fromEntries(
  (
    await withClient(db.url, (c) =>
      c.query<{ relname: string; col: string }>(`
        select c.relname, (select a.attname from pg_attribute a
                            where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                            order by a.attnum limit 1) as col
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f')
         order by 1`),
    )
  ).rows.map((r) => [r.relname, r.col]),
);

let fx: Fixtures;
before(async () => {
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

/** One transaction with the MSSP admin's real claims set, under `role`. */
function withClaimsAs<T>(role: "anon" | "authenticated", fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(async (client) => {
    const event = accessTokenHookEvent({ userId: fx.users.msspAdmin });
    await client.query(
      "select set_config('request.jwt.claims', (public.custom_access_token_hook($1::jsonb) -> 'claims')::text, true)",
      [JSON.stringify(event)],
    );
    await client.query(`set local role ${role}`);
    return fn(client);
  });
}

function assertNothing(o: Outcome): void {
  if (o.ok) assert.equal(o.rowCount, 0, `anon got ${o.rowCount} rows`);
  else assert.equal(o.code, "42501", `unexpected error ${o.code}: ${o.message}`);
}

const counts = () =>
  withClient(db.url, async (c) =>
    Object.fromEntries(
      await Promise.all(
        Object.keys(TABLES).map(async (t) => [t, (await c.query(`select count(*)::int as n from public.${t}`)).rows[0].n]),
      ),
    ),
  );

test("control: the table scan found the portal's tables", () => {
  for (const t of ["alerts", "assets", "memberships", "tenants", "users"]) assert.ok(t in TABLES, t);
});

test("positive control: the same claims under `authenticated` do see rows", async () => {
  const n = await withClaimsAs("authenticated", async (c) => (await c.query("select id from public.alerts")).rowCount);
  assert.equal(n, 10);
});

for (const [table, column] of Object.entries(TABLES)) {
  describe(`anon on ${table}`, () => {
    test("select returns nothing", async () => {
      assertNothing(await withClaimsAs("anon", (c) => attempt(c, `select ${column} from public.${table}`)));
      assertNothing(await withClaimsAs("anon", (c) => attempt(c, `select count(*) from public.${table} having count(*) > 0`)));
    });

    test("insert is denied", async () => {
      const o = await withClaimsAs("anon", (c) => attempt(c, `insert into public.${table} default values`));
      assert.equal(o.ok, false);
      if (!o.ok) assert.equal(o.code, "42501", o.message);
    });

    test("update and delete touch nothing", async () => {
      const before = await counts();
      const [upd, del] = await withClaimsAs("anon", async (c) => [
        await attempt(c, `update public.${table} set ${column} = ${column}`),
        await attempt(c, `delete from public.${table}`),
      ]);
      assertNothing(upd);
      assertNothing(del);
      assert.deepEqual(await counts(), before);
    });
  });
}

test("anon cannot call the access-token hook or the tenancy helpers", async () => {
  for (const fn of ["public.custom_access_token_hook('{}'::jsonb)", "tenancy.visible_tenant_ids()", "tenancy.tenant_ids_with_role('{tenant_admin}')"]) {
    const o = await withClaimsAs("anon", (c) => attempt(c, `select ${fn}`));
    assert.equal(o.ok, false, `${fn} ran as anon`);
    if (!o.ok) assert.equal(o.code, "42501", o.message);
  }
});
