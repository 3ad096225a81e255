// A collector checkpoint's first advance, twice at once (two pods of one name
// overlapping in a rolling deploy): the first creates the row, the second is
// judged against it (a replay of the same step, counting nothing twice) instead
// of adding its count on top. Real Postgres and RLS, the key's own claims; the
// two transactions interleaved by hand.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createApiKey } from "@/lib/api/keys/store";
import { parseKey } from "@/lib/api/keys/format";
import { tenantResource } from "@/lib/authz";
import { advanceCheckpoint } from "@/lib/collector/checkpoints";
import { withTenant } from "@/lib/db/with-tenant";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();

test("two first advances at once: one applied, the other a replay; the count is sent once", async () => {
  const acme = env.fx.tenants.acme;
  await env.owner(
    `insert into public.collectors (tenant_id, id, name, version, last_heartbeat_at) values ($1, md5('overlap')::uuid, 'collector-overlap', '0.1.0', now())`,
    [acme],
  );
  await env.owner(
    `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
     values ($1, md5('overlap-feed')::uuid, 'generic_api_key', 'overlap feed', decode(repeat('cd', 40), 'hex'), 1, 'wxyz')`,
    [acme],
  );
  const [{ id: credentialId }] = await env.owner<{ id: string }>("select md5('overlap-feed')::uuid::text as id");
  const made = await env.as("acmeAdmin", async (tx) =>
    createApiKey(tx, { tenant: (await tenantResource(tx.db, acme))!, name: "overlap", scopes: ["alerts:write", "collectors:write"], expiresInDays: 30 }),
  );
  const key = parseKey(made.key)!;
  const body = { credential_id: credentialId, previous_cursor: null, cursor: "page-1", sent: 40 };
  const asKey = <T>(fn: Parameters<typeof withTenant<T>>[1]) => withTenant({ userId: key.id, apiKey: key, activeTenantId: acme }, fn);

  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let firstDone!: () => void;
  const firstApplied = new Promise<void>((r) => (firstDone = r));
  // The first pod: applies, then holds its transaction open.
  const first = asKey(async (tx) => {
    const r = await advanceCheckpoint(tx, acme, "collector-overlap", body);
    firstDone();
    await gate;
    return r;
  });
  await firstApplied;
  // The second pod, the same step, while the first has not committed: its insert waits for the first.
  const second = asKey((tx) => advanceCheckpoint(tx, acme, "collector-overlap", body));
  await new Promise((r) => setTimeout(r, 200));
  release();
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a.replayed, false);
  assert.equal(b.replayed, true, "the second is the same step, answered as a replay");
  const [row] = await env.owner<{ alerts_sent: string; cursor: string }>(
    "select alerts_sent::text, cursor from public.collector_checkpoints where tenant_id = $1 and credential_id = $2",
    [acme, credentialId],
  );
  assert.deepEqual(row, { alerts_sent: "40", cursor: "page-1" }, "counted once");
});
