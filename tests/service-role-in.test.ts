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

// Nested calls (a service-role write inside another's fn): each rolls back to, and releases, its own
// savepoint. With one name for all, the inner failure's savepoint was left behind, so the outer's
// failure after it rolled back only that far: the outer's writes stayed and the caller went on as
// service_role.
const probe = async (client: pg.PoolClient, name: string): Promise<string | null> =>
  (await client.query<{ v: string | null }>("select nullif(current_setting($1, true), '') as v", [`portal.${name}`])).rows[0].v;

test("nested: the inner fails, the outer catches it and goes on; the outer's writes and identity stay, the caller's come back", async () => {
  await env.as("acmeAdmin", async (tx) => {
    const before = await identity(tx.client);
    const outer = await withServiceRoleIn("bulk.engine", tx.db, async (db) => {
      await db.$client.query("select set_config('portal.nested_outer_1', 'kept', true)");
      await assert.rejects(
        withServiceRoleIn("bulk.engine", db, async (inner) => {
          await inner.$client.query("select set_config('portal.nested_inner', 'written inside', true)");
          await inner.$client.query("select 1 / 0");
        }),
        /division by zero/,
      );
      const after = await identity(db.$client);
      await db.$client.query("select set_config('portal.nested_outer_2', 'kept', true)");
      return { role: after.role, inner: await probe(db.$client, "nested_inner"), first: await probe(db.$client, "nested_outer_1") };
    });
    assert.deepEqual(outer, { role: "service_role", inner: null, first: "kept" }, "the outer goes on as itself, with its writes, without the inner's");
    assert.deepEqual(await identity(tx.client), before);
    assert.equal(await probe(tx.client, "nested_outer_1"), "kept");
    assert.equal(await probe(tx.client, "nested_outer_2"), "kept");
    // The caller's own failure after it still rolls back only what is the caller's to undo: a later
    // call's failure undoes that call alone.
    await assert.rejects(withServiceRoleIn("bulk.engine", tx.db, async (db) => db.$client.query("select 1 / 0")), /division by zero/);
    assert.deepEqual(await identity(tx.client), before);
    assert.equal(await probe(tx.client, "nested_outer_2"), "kept");
  });
});

test("nested: the inner fails and is caught, then the outer fails: all of the outer's work is undone and the caller goes on as the caller", async () => {
  await env.as("acmeAdmin", async (tx) => {
    const before = await identity(tx.client);
    await assert.rejects(
      withServiceRoleIn("bulk.engine", tx.db, async (db) => {
        await db.$client.query("select set_config('portal.nested_outer_undone', 'written by the outer', true)");
        await withServiceRoleIn("bulk.engine", db, async (inner) => inner.$client.query("select 1 / 0")).catch(() => undefined);
        await db.$client.query("select 1 / 0");
      }),
      /division by zero/,
    );
    assert.deepEqual(await identity(tx.client), before, "the caller's role, claims and application_name, not the service role's");
    assert.equal(await probe(tx.client, "nested_outer_undone"), null, "the outer's write is rolled back with it");
    const { rows } = await tx.client.query<{ n: number }>("select count(*)::int as n from public.tenants where id = $1", [env.fx.tenants.globex]);
    assert.equal(rows[0].n, 0, "RLS applies to the caller again");
  });
});
