// limits.connectors under concurrency (lib/credentials/store.ts
// refuseByConfiguration): two admins adding a credential at the same moment,
// with room for one, must not both get in. Two real connections: the first
// creates and holds its transaction open; the second creates meanwhile; then
// the first commits. Without the per-tenant lock the second counts before the
// first's row is committed and inserts too (the tenant ends over its limit).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { createCredential } from "@/lib/credentials";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();

const countOf = async (tenantId: string) =>
  (await env.owner<{ n: number }>("select count(*)::int as n from public.credentials where tenant_id = $1", [tenantId]))[0].n;

const splunk = (tenantId: string, name: string) => ({
  tenantId,
  connector: "splunk_hec" as const,
  name,
  config: { hecUrl: "https://splunk.example.com:8088" },
  secret: randomUUID(),
});

test("two concurrent creates with room for one: one is saved, the other refused, the limit holds", async () => {
  const acme = env.fx.tenants.acme;
  const limit = (await countOf(acme)) + 1;
  await env.owner(
    `insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.connectors', $2::jsonb)
     on conflict (tenant_id, key) do update set value = excluded.value`,
    [acme, JSON.stringify(limit)],
  );

  let inserted!: () => void;
  const firstInserted = new Promise<void>((resolve) => (inserted = resolve));
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const first = env.as("acmeAdmin", async (tx) => {
    const made = await createCredential(tx, splunk(acme, "Race first"));
    inserted();
    await held; // the row is in, not committed
    return made;
  });
  await firstInserted;
  const second = env
    .as("acmeAdmin", (tx) => createCredential(tx, splunk(acme, "Race second")))
    .then(
      (made) => ({ ok: true as const, made }),
      (error: Error) => ({ ok: false as const, error }),
    );
  // Long enough for the second to count and insert if nothing makes it wait.
  const early = await Promise.race([second.then(() => "finished"), sleep(750).then(() => "waiting")]);
  release();
  await first;
  const outcome = await second;

  assert.equal(early, "waiting", "the second create waits for the first's transaction");
  assert.equal(outcome.ok, false, "the second create is refused");
  assert.match(outcome.ok ? "" : outcome.error.message, /may hold at most \d+ connector credentials? \(its configured limit\)/);
  assert.equal(await countOf(acme), limit, "the tenant holds exactly its limit");
});

test("the lock is per tenant: another tenant's create does not wait for acme's", async () => {
  const acme = env.fx.tenants.acme;
  const globex = env.fx.tenants.globex;
  await env.owner("delete from public.tenant_settings where tenant_id = $1 and key = 'limits.connectors'", [acme]);
  let inserted!: () => void;
  const firstInserted = new Promise<void>((resolve) => (inserted = resolve));
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const first = env.as("acmeAdmin", async (tx) => {
    await createCredential(tx, splunk(acme, "Held open"));
    inserted();
    await held;
  });
  await firstInserted;
  try {
    const other = env.as("globexAdmin", (tx) => createCredential(tx, splunk(globex, "Not waiting")));
    const done = await Promise.race([other.then(() => "finished"), sleep(5_000).then(() => "waiting")]);
    assert.equal(done, "finished");
  } finally {
    release();
    await first;
  }
});
