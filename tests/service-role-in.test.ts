// withServiceRoleIn (lib/db/service-role.ts): a write as the service role
// inside the caller's own transaction, the caller's role, claims and
// application_name back exactly as they were after it (a quote and a
// backslash included), or after a failure inside it, whose writes roll back
// with the switch. The switch costs two round trips, one in and one back (the
// bulk engine pays it for every tenant's result: npm run bench -- --only=bulk).
import "./helpers/actions";
import assert from "node:assert/strict";
import { test } from "node:test";
import type pg from "pg";
import { withServiceRoleIn } from "@/lib/db/service-role";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();

interface Identity {
  role: string;
  claims: string | null;
  app: string | null;
}

const identity = async (client: pg.PoolClient): Promise<Identity> =>
  (
    await client.query<Identity>(
      "select current_user::text as role, current_setting('request.jwt.claims', true) as claims, current_setting('application_name', true) as app",
    )
  ).rows[0];

/** Counts the queries sent on `client` while `fn` runs (a multi-statement simple query is one). */
async function roundTrips<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<{ result: T; n: number }> {
  const original = client.query;
  let n = 0;
  client.query = ((...args: unknown[]) => {
    n++;
    return (original as (...a: unknown[]) => unknown).apply(client, args);
  }) as typeof client.query;
  try {
    return { result: await fn(), n };
  } finally {
    client.query = original;
  }
}

test("as the service role inside the caller's transaction, in one round trip there and one back; the caller's identity back exactly", async () => {
  await env.as("msspAdmin", async (tx) => {
    await tx.client.query("select set_config('application_name', $1, true)", [`it's a \\ test`]);
    const before = await identity(tx.client);
    assert.equal(before.role, "authenticated");
    const { result: inside, n } = await roundTrips(tx.client, () =>
      withServiceRoleIn("bulk.engine", tx.db, async (db) => {
        const { rows } = await db.$client.query<{ role: string; claim: string; app: string }>(
          "select current_user::text as role, auth.jwt() ->> 'role' as claim, current_setting('application_name') as app",
        );
        return rows[0];
      }),
    );
    assert.deepEqual(inside, { role: "service_role", claim: "service_role", app: "service:bulk.engine" });
    assert.equal(n, 3, "the switch in, the statement of fn, the switch back");
    assert.deepEqual(await identity(tx.client), before);
    // RLS applies again: the caller still sees only what they saw.
    const { rows } = await tx.client.query<{ n: number }>("select count(*)::int as n from public.tenants where id = $1", [env.fx.tenants["other-co"]]);
    assert.equal(rows[0].n, 0, "a tenant of another MSSP stays invisible after the switch back");
  });
});

test("a failure inside rolls back what it did and the switch; the caller's transaction goes on as the caller", async () => {
  await env.as("acmeAdmin", async (tx) => {
    const before = await identity(tx.client);
    await assert.rejects(
      withServiceRoleIn("bulk.engine", tx.db, async (db) => {
        await db.$client.query("select set_config('portal.service_role_in_probe', 'written inside', true)");
        await db.$client.query("select 1 / 0");
      }),
      /division by zero/,
    );
    assert.deepEqual(await identity(tx.client), before);
    const { rows } = await tx.client.query<{ probe: string | null }>("select current_setting('portal.service_role_in_probe', true) as probe");
    assert.notEqual(rows[0].probe, "written inside", "what the failed work set is rolled back with it");
  });
});

test("in a transaction that already failed, the caller's error is what it says, and nothing is rolled back for it", async () => {
  await assert.rejects(
    env.as("acmeAdmin", async (tx) => {
      await tx.client.query("select 1 / 0").catch(() => {});
      await withServiceRoleIn("bulk.engine", tx.db, async () => 1);
    }),
    (e: unknown) => (e as { code?: string }).code === "25P02",
  );
});
