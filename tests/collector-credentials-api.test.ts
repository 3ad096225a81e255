// POST /collectors/{name}/credentials (lib/api/endpoints/collector-credentials.ts):
// the collector's only way to its tenant's connector secrets, now that it has no
// database login. Through the real gateway (key check, scope, PDP), under RLS as
// the key: its own tenant's credentials with their secrets, each opening audited;
// nothing for a key without collectors:write, a revoked key, an MSSP key
// addressing a customer, or another tenant's key. Real Postgres and PDP.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { revokeApiKey } from "@/lib/api/keys/store";
import { API_ROUTES } from "@/lib/api/routes";
import { apiHandler } from "@/lib/api/gateway";
import { createCredential } from "@/lib/credentials";
import { createKeyAs } from "./helpers/api-keys";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();
const handler = apiHandler(API_ROUTES);
const SECRET = `MARKERcreds${randomBytes(12).toString("hex")}`;
let credentialId = "";

const open = (host: string, key: string, path = "/collectors/edge-1/credentials") =>
  handler(new Request(`http://${host}/api/v1${path}`, { method: "POST", headers: { host, authorization: `Bearer ${key}`, "content-type": "application/json" }, body: "{}" }));

env.before(async () => {
  const made = await env.as("acmeAdmin", (tx) =>
    createCredential(tx, {
      tenantId: env.fx.tenants.acme,
      connector: "generic_api_key",
      name: "Vendor feed",
      config: { baseUrl: "https://api.vendor.example/v2", headerName: "X-Api-Key", valuePrefix: "" },
      secret: SECRET,
    }),
  );
  credentialId = made.id;
});

describe("a collector's credentials through the API", () => {
  test("its own tenant's key with collectors:write: the secrets, no-store, each opening audited with the collector's name", async () => {
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:write", "collectors:write"]);
    const res = await open("acme.localhost:3000", key.key);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const body = (await res.json()) as { tenant_id: string; credentials: { id: string; secret: string; config: Record<string, unknown> }[]; skipped: unknown[] };
    assert.equal(body.tenant_id, env.fx.tenants.acme);
    const mine = body.credentials.find((c) => c.id === credentialId);
    assert.equal(mine?.secret, SECRET);
    assert.equal(mine?.config.baseUrl, "https://api.vendor.example/v2");
    const audited = await env.owner<{ actor_id: string; details: { collector: string; purpose: string } }>(
      "select actor_id, details from public.audit_log where tenant_id = $1 and action = 'credential.opened' and target_id = $2 and outcome = 'success'",
      [env.fx.tenants.acme, credentialId],
    );
    assert.ok(audited.some((a) => a.actor_id === key.id && a.details.collector === "edge-1" && a.details.purpose === "collector.pull"), JSON.stringify(audited));
  });

  test("no secret without collectors:write (403), for a revoked key (401), or for an MSSP key addressing its customer (403)", async () => {
    const reader = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:write", "alerts:read"]);
    const noScope = await open("acme.localhost:3000", reader.key);
    assert.equal(noScope.status, 403);
    assert.ok(!(await noScope.text()).includes(SECRET));

    const revoked = await createKeyAs(env.fx, "acmeAdmin", "acme", ["collectors:write"]);
    await env.as("acmeAdmin", (tx) => revokeApiKey(tx, { tenantId: env.fx.tenants.acme, keyId: revoked.id }));
    assert.equal((await open("acme.localhost:3000", revoked.key)).status, 401);

    const mssp = await createKeyAs(env.fx, "msspAdmin", "mssp-a", ["collectors:write"]);
    const viaPath = await open("localhost:3000", mssp.key, "/tenants/acme/collectors/edge-1/credentials");
    assert.equal(viaPath.status, 403);
    const text = await viaPath.text();
    assert.match(text, /own tenant's key/);
    assert.ok(!text.includes(SECRET));
  });

  test("another tenant's key gets its own tenant's credentials only, never acme's", async () => {
    const globex = await createKeyAs(env.fx, "globexAdmin", "globex", ["collectors:write"]);
    const res = await open("globex.localhost:3000", globex.key);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(!text.includes(SECRET) && !text.includes(credentialId), "nothing of acme's");
    assert.equal((JSON.parse(text) as { tenant_id: string }).tenant_id, env.fx.tenants.globex);
    // On acme's host, globex's key is refused outright.
    assert.equal((await open("acme.localhost:3000", globex.key)).status, 403);
  });
});
