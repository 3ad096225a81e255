// limits.api_keys (lib/settings/registry.ts; lib/api/keys/store.ts; migration
// 20261201032800): a tenant holds at most that many live keys (not revoked, not
// expired), checked when a key is created through the portal AND by the
// database for an insert as `authenticated` (a Supabase Data API call as the
// tenant's admin); revoked and expired keys do not count. And the keys page:
// every live key listed first, never cut off by newer revoked or expired ones, up to a safety bound of
// 1,000 live keys (keys written past the limit, as the service role, are not bounded by it), past which
// the page says how many more there are.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ActionRefusal } from "@/lib/actions/refusal";
import { loadApiKeysPage } from "@/lib/api/keys/page-data";
import { createApiKey, revokeApiKey } from "@/lib/api/keys/store";
import { tenantResource } from "@/lib/authz";
import { settingDefinition } from "@/lib/settings";
import { createKeyAs } from "./helpers/api-keys";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug, UserName } from "./helpers/fixtures";

const env = useFixtureEnv();

async function setLimit(tenant: TenantSlug, value: number | null) {
  await env.owner("delete from public.tenant_settings where tenant_id = $1 and key = 'limits.api_keys'", [env.fx.tenants[tenant]]);
  if (value !== null) {
    await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.api_keys', to_jsonb($2::int))", [env.fx.tenants[tenant], value]);
  }
}

/** `n` keys of `tenant` written by the owner (no check): live, revoked or expired, made `ageMinutes` ago; their ids. */
async function ownerKeys(tenant: TenantSlug, n: number, state: "live" | "revoked" | "expired", ageMinutes = 0): Promise<string[]> {
  const rows = await env.owner<{ id: string }>(
    `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, created_at, expires_at, revoked_at)
     select $1, gen_random_uuid(), $3 || ' ' || g, sha256(gen_random_uuid()::text::bytea), '{alerts:read}',
            now() - make_interval(mins => $4) - make_interval(days => case when $3 = 'expired' then 40 else 0 end),
            case when $3 = 'expired' then now() - interval '1 day' else now() + interval '30 days' end,
            case when $3 = 'revoked' then now() end
       from generate_series(1, $2) g
     returning id::text`,
    [env.fx.tenants[tenant], n, state, ageMinutes],
  );
  return rows.map((r) => r.id);
}

/** An insert as the tenant's admin through SQL (what a Data API call does): "ok" or the SQLSTATE and hint. */
function sqlInsert(user: UserName, tenant: TenantSlug) {
  return env
    .as(user, (tx) =>
      tx.client.query(
        `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at, created_by)
         values ($1, gen_random_uuid(), 'by sql', sha256(gen_random_uuid()::text::bytea), '{alerts:read}', now() + interval '30 days', $2)`,
        [env.fx.tenants[tenant], env.fx.users[user]],
      ),
    )
    .then(
      () => "ok",
      (e: { code?: string; hint?: string }) => `${e.code} ${e.hint}`,
    );
}

describe("limits.api_keys", () => {
  test("the portal refuses a key past the limit, with the numbers; revoked and expired keys do not count", async () => {
    await setLimit("acme-us", 2);
    await ownerKeys("acme-us", 3, "revoked");
    await ownerKeys("acme-us", 3, "expired");
    const first = await createKeyAs(env.fx, "acmeAdmin", "acme-us", ["alerts:read"], { name: "one" });
    await createKeyAs(env.fx, "acmeAdmin", "acme-us", ["alerts:read"], { name: "two" });
    await assert.rejects(createKeyAs(env.fx, "acmeAdmin", "acme-us", ["alerts:read"], { name: "three" }), (e: unknown) => {
      assert.ok(e instanceof ActionRefusal, String(e));
      assert.match(e.message, /at most 2 live API keys .*limits\.api_keys.* holds 2/);
      assert.deepEqual(e.details, { setting: "limits.api_keys", limit: 2, live: 2 });
      return true;
    });
    // Revoking one makes room at once.
    await env.as("acmeAdmin", (tx) => revokeApiKey(tx, { tenantId: env.fx.tenants["acme-us"], keyId: first.id }));
    await createKeyAs(env.fx, "acmeAdmin", "acme-us", ["alerts:read"], { name: "three" });
    const [{ n }] = await env.owner<{ n: number }>(
      "select count(*)::int as n from public.api_keys where tenant_id = $1 and revoked_at is null and expires_at > now()",
      [env.fx.tenants["acme-us"]],
    );
    assert.equal(n, 2);
  });

  test("the database refuses the same insert made through SQL as the tenant's admin (54000, hint api_key_limit)", async () => {
    await setLimit("acme-eu", 1);
    assert.equal(await sqlInsert("acmeEuAdmin", "acme-eu"), "ok");
    assert.equal(await sqlInsert("acmeEuAdmin", "acme-eu"), "54000 api_key_limit");
    assert.equal(await sqlInsert("acmeAdmin", "acme-eu"), "54000 api_key_limit", "an admin above counts against the same limit");
    // The owner (fixtures, an archive restore) is not asked.
    await ownerKeys("acme-eu", 2, "live");
    await setLimit("acme-eu", null);
  });

  test("unset, the registry's default holds in the portal and in the database alike (settings.integer_settings)", async () => {
    const definition = settingDefinition("limits.api_keys");
    assert.ok(definition && definition.input.kind === "integer", "the registry defines limits.api_keys");
    const [bounds] = await env.owner<{ min_value: number; max_value: number; default_value: number }>(
      "select min_value, max_value, default_value from settings.integer_settings where key = 'limits.api_keys'",
    );
    assert.deepEqual(bounds, { min_value: definition.input.min, max_value: definition.input.max, default_value: definition.default });
    await ownerKeys("globex", Number(definition.default) - 1, "live");
    await createKeyAs(env.fx, "globexAdmin", "globex", ["alerts:read"], { name: `the ${definition.default}th` });
    await assert.rejects(createKeyAs(env.fx, "globexAdmin", "globex", ["alerts:read"]), ActionRefusal);
    assert.equal(await sqlInsert("globexAdmin", "globex"), "54000 api_key_limit");
    // Two admins at once for the last place: one key, one refusal (the creates take turns).
    await ownerKeys("globex", 1, "revoked");
    await env.owner("update public.api_keys set revoked_at = now() where id = (select id from public.api_keys where tenant_id = $1 and revoked_at is null order by created_at limit 1)", [
      env.fx.tenants.globex,
    ]);
    const create = () =>
      env.as("globexAdmin", async (tx) =>
        createApiKey(tx, { tenant: (await tenantResource(tx.db, env.fx.tenants.globex))!, name: "race", scopes: ["alerts:read"], expiresInDays: 30 }).then(
          () => "created",
          (e: unknown) => (e instanceof ActionRefusal ? "refused" : String(e)),
        ),
      );
    const outcomes = (await Promise.all([create(), create()])).sort();
    assert.deepEqual(outcomes, ["created", "refused"]);
  });
});

describe("the keys page", () => {
  test("every live key is listed first, however many newer revoked or expired keys there are; those say how many more", async () => {
    await setLimit("acme", null);
    // A live key made 300 days ago (a key cannot be changed, so it is written as it would be then).
    const [old] = await ownerKeys("acme", 1, "live", 300 * 24 * 60);
    // 520 newer decoys: the old page listed the 500 newest keys and lost the live one.
    await ownerKeys("acme", 300, "revoked", 1);
    await ownerKeys("acme", 220, "expired", 1);
    const page = await env.as("acmeAdmin", (tx) => loadApiKeysPage(tx, "acme", env.fx.tenants.acme), "acme");
    assert.ok(page);
    const liveIds = (
      await env.owner<{ id: string }>("select id::text from public.api_keys where tenant_id = $1 and revoked_at is null and expires_at > now()", [env.fx.tenants.acme])
    ).map((r) => r.id);
    const firstIds = page.keys.slice(0, liveIds.length).map((k) => k.id);
    assert.deepEqual(new Set(firstIds), new Set(liveIds), "the live keys come first, all of them");
    assert.ok(firstIds.includes(old), "the old live key is listed");
    const rest = page.keys.slice(liveIds.length);
    assert.ok(rest.every((k) => k.revokedAt !== null || k.expired), "then revoked or expired ones");
    assert.equal(rest.length, 50);
    assert.equal(page.moreInactive, 520 - 50);
    assert.equal(page.liveLimit, 50);
    assert.equal(page.moreLive, 0);
  });

  test("past 1,000 live keys (written as the service role, beyond the limit) the page lists the newest 1,000 and says how many more", async () => {
    const { LIVE_SHOWN } = await import("@/lib/api/keys/store");
    assert.equal(LIVE_SHOWN, 1_000);
    const [oldest] = await ownerKeys("other-co", 1, "live", 60);
    await ownerKeys("other-co", LIVE_SHOWN + 1, "live", 1);
    await ownerKeys("other-co", 3, "revoked");
    const page = await env.as("otherCoAdmin", (tx) => loadApiKeysPage(tx, "other-co", env.fx.tenants["other-co"]), "other-co");
    assert.ok(page);
    const live = page.keys.filter((k) => !k.revokedAt && !k.expired);
    assert.equal(live.length, LIVE_SHOWN, "the newest 1,000 live keys, no more");
    assert.deepEqual(page.keys.slice(0, LIVE_SHOWN), live, "listed first");
    assert.ok(!live.some((k) => k.id === oldest), "the oldest live key is one of those not listed");
    assert.equal(page.moreLive, 2, "and the page says how many live keys it does not list");
    assert.equal(page.keys.length - LIVE_SHOWN, 3, "then the revoked ones");
    assert.equal(page.moreInactive, 0);
  });
});
