// A collector's use of a credential shows on the credentials pages
// (api.touch_opened_credentials, migration 20261201030400, called by
// lib/collector/open-credentials.ts). Through the real gateway, as the
// collector's real key, real Postgres and PDP:
//   - after the collector's credential fetch, the console overview no longer
//     counts the credential it pulls with as "never used" (nor the tenant's
//     table), while the kind it skips stays unused;
//   - at most once a minute: a second fetch right away writes nothing;
//   - the function marks only what this key opened in this transaction, of its
//     own tenant: a person, a key that opened nothing, another tenant's key,
//     and a key without collectors:write mark nothing.
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { parseKey } from "@/lib/api/keys/format";
import type { ApiScope } from "@/lib/api/keys/scopes";
import { API_ROUTES } from "@/lib/api/routes";
import { apiHandler } from "@/lib/api/gateway";
import { createCredential } from "@/lib/credentials";
import { readCredentialsOverview } from "@/lib/credentials/overview";
import { listCredentials } from "@/lib/credentials/store";
import { withTenant } from "@/lib/db/with-tenant";
import { createKeyAs } from "./helpers/api-keys";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();
const handler = apiHandler(API_ROUTES);
let pulledId = "";
let skippedId = "";

/** A key of `tenant` made by its admin, with its parsed form. */
async function newKey(tenant: "acme" | "globex", scopes: ApiScope[]) {
  const made = await createKeyAs(env.fx, tenant === "acme" ? "acmeAdmin" : "globexAdmin", tenant, scopes);
  return { ...made, parsed: parseKey(made.key)! };
}

const fetchCredentials = (key: string) =>
  handler(
    new Request("http://acme.localhost:3000/api/v1/collectors/edge-1/credentials", {
      method: "POST",
      headers: { host: "acme.localhost:3000", authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: "{}",
    }),
  );

const lastUsed = async (id: string) =>
  (await env.owner<{ at: Date | null }>("select last_used_at as at from public.credentials where id = $1", [id]))[0].at;

/** The console overview as mssp-a's admin: the never-used count and the row of `id`. */
async function overviewOf(id: string) {
  const data = await env.as("msspAdmin", (tx) => readCredentialsOverview(tx));
  return { neverUsed: data.counts["never-used"], row: data.rows.find((r) => r.id === id) };
}

env.before(async () => {
  const made = await env.as("acmeAdmin", async (tx) => {
    const pulled = await createCredential(tx, {
      tenantId: env.fx.tenants.acme,
      connector: "generic_api_key",
      name: "Pulled feed",
      config: { baseUrl: "https://api.vendor.example/v2", headerName: "X-Api-Key", valuePrefix: "" },
      secret: `feed${randomBytes(12).toString("hex")}`,
    });
    // A kind the collector does not pull from: listed as skipped, never opened, so never marked.
    const skipped = await createCredential(tx, {
      tenantId: env.fx.tenants.acme,
      connector: "splunk_hec",
      name: "Forwarder",
      config: { hecUrl: "https://splunk.example.com:8088" },
      secret: randomUUID(),
    });
    return { pulled: pulled.id, skipped: skipped.id };
  });
  pulledId = made.pulled;
  skippedId = made.skipped;
});

describe("a collector's credential fetch marks what it opened as used", () => {
  test("after the fetch the overview and the tenant's table count the pulled credential as used; the skipped one stays unused", async () => {
    const before = await overviewOf(pulledId);
    assert.equal(before.row?.lastUsedAt, null, "never used before the collector ran");

    const key = await newKey("acme", ["alerts:write", "collectors:write"]);
    const res = await fetchCredentials(key.key);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { credentials: { id: string }[]; skipped: { id: string }[] };
    assert.ok(body.credentials.some((c) => c.id === pulledId));
    assert.ok(body.skipped.some((c) => c.id === skippedId));

    const after = await overviewOf(pulledId);
    assert.ok(after.row?.lastUsedAt instanceof Date, "the overview shows a last use");
    assert.equal(after.neverUsed, before.neverUsed - 1, "one fewer never-used credential");
    assert.equal(await lastUsed(skippedId), null, "a skipped credential was not opened, so not used");
    const table = await env.as("acmeAdmin", (tx) => listCredentials(tx, env.fx.tenants.acme));
    assert.ok(table.find((c) => c.id === pulledId)?.lastUsedAt, "the tenant's own table too");
  });

  test("at most once a minute: a second fetch right away leaves last_used_at alone", async () => {
    const first = await lastUsed(pulledId);
    assert.ok(first);
    const key = await newKey("acme", ["collectors:write"]);
    assert.equal((await fetchCredentials(key.key)).status, 200);
    assert.equal((await lastUsed(pulledId))?.getTime(), first.getTime());
    // Older than a minute: the next fetch marks it again.
    await env.owner("update public.credentials set last_used_at = now() - interval '5 minutes' where id = $1", [pulledId]);
    const stale = (await lastUsed(pulledId))!;
    assert.equal((await fetchCredentials(key.key)).status, 200);
    assert.ok((await lastUsed(pulledId))!.getTime() > stale.getTime());
  });
});

describe("api.touch_opened_credentials marks only what the calling key opened, in its own tenant", () => {
  const reset = () => env.owner("update public.credentials set last_used_at = null where id = any ($1::uuid[])", [[pulledId, skippedId]]);
  const touchAs = (caller: { key?: NonNullable<ReturnType<typeof parseKey>>; userId?: string }, ids: string[]) =>
    withTenant(caller.key ? { userId: caller.key.id, apiKey: caller.key, activeTenantId: null } : { userId: caller.userId! }, async (tx) =>
      (await tx.client.query<{ n: number }>("select api.touch_opened_credentials($1::uuid[]) as n", [ids])).rows[0].n,
    );

  test("a person, a key that opened nothing in this transaction, another tenant's key, a key without collectors:write: nothing", async () => {
    await reset();
    assert.equal(await touchAs({ userId: env.fx.users.acmeAdmin }, [pulledId, skippedId]), 0, "a person");
    const own = await newKey("acme", ["collectors:write"]);
    // It opened pulledId in an earlier request (audited), but not in this transaction.
    assert.equal((await fetchCredentials(own.key)).status, 200);
    await reset();
    assert.equal(await touchAs({ key: own.parsed }, [pulledId, skippedId]), 0, "nothing opened in this transaction");
    const globex = await newKey("globex", ["collectors:write"]);
    assert.equal(await touchAs({ key: globex.parsed }, [pulledId, skippedId]), 0, "another tenant's key");
    const reader = await newKey("acme", ["alerts:read"]);
    assert.equal(await touchAs({ key: reader.parsed }, [pulledId, skippedId]), 0, "a key without collectors:write");
    assert.equal(await lastUsed(pulledId), null);
    assert.equal(await lastUsed(skippedId), null);
  });
});
