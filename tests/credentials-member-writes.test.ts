// What a customer's admin can do to public.credentials by SQL as themselves (`authenticated`, as a
// Supabase Data API would let them), and that the portal's own flows still work
// (migration 20261201030900, docs/security-model.md "Keys and the credential vault"):
//   - a credential's settings, connector and name never change: re-pointing the MSSP's generic
//     connector at another host (`update … set config = …`) is refused, with or without a new seal;
//   - who made it, when it was rotated and by whom, are the database's: created_by is the caller,
//     a new secret stamps rotated_at = now() and rotated_by = the caller, and without a new secret
//     rotated_at, rotated_by, expires_at, secret_hint and key_version stay; last_used_at moves only
//     to now() (opening it), never back or forward by hand;
//   - a direct insert obeys integrations.<kind> and limits.connectors (inherited from the MSSP);
//   - createCredential, replaceSecret and the use path (last_used_at) still work.
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { createCredential, replaceSecret, useCredential } from "@/lib/credentials";
import { credentialErrorFrom } from "@/lib/credentials/errors";
import { settingDefinition } from "@/lib/settings/registry";
import { CONNECTOR_KINDS } from "@/lib/credentials/connectors";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { UserName } from "./helpers/fixtures";
import { asRolledBack, assertRefused, assertRows, type Outcome } from "./helpers/sql";

const env = useFixtureEnv();

const alnum = (n: number) => {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(n)].map((b) => chars[b % chars.length]).join("");
};

/** A generic connector the MSSP's admin enters for acme (its secret sealed by the app). */
async function msspCredential(name = `Feed ${randomUUID().slice(0, 8)}`) {
  return env.as("msspAdmin", (tx) =>
    createCredential(tx, {
      tenantId: env.fx.tenants.acme,
      connector: "generic_api_key",
      name,
      config: { baseUrl: "https://api.example.com/v1", testPath: "/me", headerName: "X-Api-Key" },
      secret: alnum(24),
    }),
  );
}

const row = async (id: string) =>
  (await env.owner("select config, connector, name, sealed, key_version, secret_hint, expires_at, created_by, created_at, rotated_at, rotated_by, last_used_at from public.credentials where id = $1", [id]))[0];

/** One statement as `user` in a transaction that is rolled back: its rows, or its SQLSTATE and hint. */
async function tryAs(user: UserName, sql: string, params: unknown[]): Promise<Outcome & { hint?: string }> {
  return asRolledBack(env.fx, user, async (tx) => {
    try {
      const r = await tx.client.query(sql, params);
      return { ok: true as const, rowCount: r.rowCount ?? 0, rows: r.rows };
    } catch (error) {
      const e = error as { code?: string; message: string; hint?: string };
      return { ok: false as const, code: e.code ?? "?", message: e.message, hint: e.hint };
    }
  });
}

/** The same, for a refusal: its SQLSTATE, hint and the error itself. */
async function refusalOf(user: UserName, sql: string, params: unknown[]): Promise<{ code?: string; hint?: string; error: unknown }> {
  try {
    await asRolledBack(env.fx, user, (tx) => tx.client.query(sql, params));
  } catch (error) {
    const e = error as { code?: string; hint?: string };
    return { code: e.code, hint: e.hint, error };
  }
  assert.fail(`${sql}: not refused`);
}

describe("a customer's admin, by SQL, against a credential the MSSP entered", () => {
  test("cannot re-point it: config, connector and name are not theirs to update, with or without a new seal", async () => {
    const cred = await msspCredential();
    const before = await row(cred.id);
    const attempts: [string, unknown[]][] = [
      [`update public.credentials set config = config || '{"baseUrl":"https://attacker.example"}' where id = $1`, [cred.id]],
      [`update public.credentials set config = '{"baseUrl":"https://attacker.example"}', sealed = sealed || '\\x00'::bytea, rotated_at = now() where id = $1`, [cred.id]],
      [`update public.credentials set connector = 'splunk_hec' where id = $1`, [cred.id]],
      [`update public.credentials set name = 'renamed' where id = $1`, [cred.id]],
      [`update public.credentials set created_by = null, created_at = now() where id = $1`, [cred.id]],
    ];
    for (const [sql, params] of attempts) assertRefused(await tryAs("acmeAdmin", sql, params));
    assert.deepEqual(await row(cred.id), before, "nothing changed");
  });

  test("cannot forge its rotation, expiry or use without a new secret; a new seal is stamped as theirs, now", async () => {
    const cred = await msspCredential();
    const before = await row(cred.id);
    const forged: [string, string][] = [
      ["rotated_at = now() - interval '1 day'", "credential_secret_unchanged"],
      ["rotated_by = (select id from public.users where email like 'mssp-admin%' limit 1), rotated_at = now()", "credential_secret_unchanged"],
      ["expires_at = now() + interval '10 years'", "credential_secret_unchanged"],
      ["secret_hint = 'zzzz'", "credential_secret_unchanged"],
      ["last_used_at = now() - interval '3 days'", "credential_last_used"],
      ["last_used_at = now() + interval '3 days'", "credential_last_used"],
    ];
    for (const [set, hint] of forged) {
      const refused = await refusalOf("acmeAdmin", `update public.credentials set ${set} where id = $1`, [cred.id]);
      assert.deepEqual([refused.code, refused.hint], ["42501", hint], set);
    }
    assert.deepEqual(await row(cred.id), before, "nothing changed");

    // A new seal (garbage here: only the app can seal) with a made-up rotation: the database's stamp wins.
    const [{ now, admin }] = await env.owner<{ now: Date; admin: string }>("select now() as now, $1::uuid as admin", [env.fx.users.acmeAdmin]);
    await env.as("acmeAdmin", (tx) =>
      tx.client.query(`update public.credentials set sealed = sealed || '\\x00'::bytea, rotated_at = '2000-01-01', rotated_by = $2 where id = $1`, [cred.id, env.fx.users.msspAdmin]),
    );
    const after = await row(cred.id);
    assert.equal(after.rotated_by, admin, "rotated by the caller, not the MSSP admin named");
    assert.ok(after.rotated_at.getTime() >= now.getTime(), "rotated now, not in 2000");
  });

  test("a direct insert is theirs (created_by), without made-up times, and within the tenant's configuration", async () => {
    const [{ version }] = await env.owner<{ version: number }>("select max(version) as version from keyring.tenant_keys where tenant_id = $1 and status = 'active'", [env.fx.tenants.acme]);
    const insert = (connector: string, extra = "", extraValues = "", params: unknown[] = []) =>
      tryAs(
        "acmeAdmin",
        `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint${extra})
         values ($1, gen_random_uuid(), $2, 'direct-' || gen_random_uuid(), decode(repeat('ab', 40), 'hex'), $3, 'abcd'${extraValues}) returning created_by`,
        [env.fx.tenants.acme, connector, version, ...params],
      );
    // Attribution: whoever they name, the row is theirs.
    const named = await insert("generic_api_key", ", created_by", ", $4", [env.fx.users.msspAdmin]);
    assertRows(named, 1);
    if (named.ok) assert.equal(named.rows[0].created_by, env.fx.users.acmeAdmin);
    // Times the database keeps: not granted.
    for (const col of ["created_at", "rotated_at", "last_used_at"]) assertRefused(await insert("generic_api_key", `, ${col}`, ", now() - interval '1 day'"));
    assertRefused(await insert("generic_api_key", ", rotated_by", ", $4", [env.fx.users.acmeAdmin]));

    // integrations.<kind> off at the MSSP (inherited): refused, whatever the app would have said.
    await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'integrations.splunk_hec', 'false')", [env.fx.tenants["mssp-a"]]);
    try {
      const off = await refusalOf(
        "acmeAdmin",
        `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
         values ($1, gen_random_uuid(), 'splunk_hec', 'off', decode(repeat('ab', 40), 'hex'), $2, 'abcd')`,
        [env.fx.tenants.acme, version],
      );
      assert.deepEqual([off.code, off.hint], ["42501", "integration_disabled"]);
      const e = off.error;
      // What the app shows if the switch flips between its own check and the insert.
      assert.match(credentialErrorFrom(e)!.message, /disabled by configuration/);
      assertRows(await insert("generic_api_key"), 1);
    } finally {
      await env.owner("delete from public.tenant_settings where key = 'integrations.splunk_hec'");
    }

    // limits.connectors reached: the next is refused (54000), at the MSSP or the tenant itself.
    const [{ n }] = await env.owner<{ n: number }>("select count(*)::int as n from public.credentials where tenant_id = $1", [env.fx.tenants.acme]);
    await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.connectors', $2)", [env.fx.tenants["mssp-a"], JSON.stringify(n)]);
    try {
      const full = await refusalOf(
        "acmeAdmin",
        `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
         values ($1, gen_random_uuid(), 'generic_api_key', 'full', decode(repeat('ab', 40), 'hex'), $2, 'abcd')`,
        [env.fx.tenants.acme, version],
      );
      assert.deepEqual([full.code, full.hint], ["54000", "connector_limit"]);
      const e = full.error;
      assert.match(credentialErrorFrom(e)!.message, /configured limit/);
      // One more place: the next one fits.
      await env.owner("update public.tenant_settings set value = $2 where tenant_id = $1 and key = 'limits.connectors'", [env.fx.tenants["mssp-a"], JSON.stringify(n + 1)]);
      assertRows(await insert("generic_api_key"), 1);
      // A value the setting cannot hold reads as the default (200), as lib/settings/resolve.ts reads it.
      await env.owner("update public.tenant_settings set value = '\"none\"' where tenant_id = $1 and key = 'limits.connectors'", [env.fx.tenants["mssp-a"]]);
      assertRows(await insert("generic_api_key"), 1);
    } finally {
      await env.owner("delete from public.tenant_settings where key = 'limits.connectors'");
    }

    // The default and bounds are settings.integer_settings' (the registry's), not numbers written in the trigger:
    // with the registry's row moved to the tenant's count, a tenant with no value, or with one now out of
    // bounds, is full.
    const [{ m }] = await env.owner<{ m: number }>("select count(*)::int as m from public.credentials where tenant_id = $1", [env.fx.tenants.acme]);
    const [registry] = await env.owner<{ min_value: number; max_value: number; default_value: number }>(
      "select min_value, max_value, default_value from settings.integer_settings where key = 'limits.connectors'",
    );
    await env.owner("update settings.integer_settings set default_value = $1, max_value = $1 where key = 'limits.connectors'", [m]);
    try {
      const atDefault = await refusalOf("acmeAdmin", `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
         values ($1, gen_random_uuid(), 'generic_api_key', 'at-default', decode(repeat('ab', 40), 'hex'), $2, 'abcd')`, [env.fx.tenants.acme, version]);
      assert.deepEqual([atDefault.code, atDefault.hint], ["54000", "connector_limit"]);
      await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.connectors', $2)", [env.fx.tenants["mssp-a"], JSON.stringify(m + 5)]);
      const outOfBounds = await refusalOf("acmeAdmin", `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
         values ($1, gen_random_uuid(), 'generic_api_key', 'out-of-bounds', decode(repeat('ab', 40), 'hex'), $2, 'abcd')`, [env.fx.tenants.acme, version]);
      assert.deepEqual([outOfBounds.code, outOfBounds.hint], ["54000", "connector_limit"]);
    } finally {
      await env.owner("delete from public.tenant_settings where key = 'limits.connectors'");
      await env.owner("update settings.integer_settings set default_value = $1, max_value = $2 where key = 'limits.connectors'", [registry.default_value, registry.max_value]);
    }
    assertRows(await insert("generic_api_key"), 1);
  });

  test("the database's defaults are the registry's: limits.connectors from settings.integer_settings, every integration on", async () => {
    const def = settingDefinition("limits.connectors");
    const [row] = await env.owner<{ min_value: number; max_value: number; default_value: number }>(
      "select min_value, max_value, default_value from settings.integer_settings where key = 'limits.connectors'",
    );
    assert.equal(row.default_value, def?.default);
    for (const kind of CONNECTOR_KINDS) assert.equal(settingDefinition(`integrations.${kind}`)?.default, true, kind);
    const [{ src }] = await env.owner<{ src: string }>("select prosrc as src from pg_proc where proname = 'refuse_connector_by_configuration'");
    assert.match(src, /from settings\.integer_settings b\s+where b\.key = 'limits\.connectors'/);
    assert.doesNotMatch(src, /\b200\b|\b10000\b/, "no default or bound written in the trigger");
    assert.match(src, /if enabled = 'false'::jsonb then/, "only an explicit off disables a kind");
  });
});

describe("the portal's own flows", () => {
  test("create, replace the secret (with or without a new expiry) and open: attributed and stamped by the database as the app meant", async () => {
    const created = await env.as("acmeAdmin", (tx) =>
      createCredential(tx, {
        tenantId: env.fx.tenants.acme,
        connector: "generic_api_key",
        name: `Own ${randomUUID().slice(0, 8)}`,
        config: { baseUrl: "https://api.example.com/v1" },
        secret: alnum(24),
      }),
    );
    let r = await row(created.id);
    assert.equal(r.created_by, env.fx.users.acmeAdmin);
    assert.equal(r.rotated_at, null);

    const expires = new Date(Date.now() + 30 * 86_400_000);
    await env.as("msspAdmin", (tx) => replaceSecret(tx, { tenantId: env.fx.tenants.acme, credentialId: created.id, secret: alnum(24), expiresAt: expires }));
    r = await row(created.id);
    assert.equal(r.rotated_by, env.fx.users.msspAdmin);
    assert.ok(r.rotated_at);
    assert.equal(r.expires_at.getTime(), expires.getTime());
    await env.as("acmeAdmin", (tx) => replaceSecret(tx, { tenantId: env.fx.tenants.acme, credentialId: created.id, secret: alnum(24) }));
    r = await row(created.id);
    assert.equal(r.rotated_by, env.fx.users.acmeAdmin);
    assert.equal(r.expires_at.getTime(), expires.getTime(), "kept");

    const opened = await env.as("acmeAdmin", (tx) => useCredential(tx, { tenantId: env.fx.tenants.acme, credentialId: created.id, purpose: "connection-test" }, async (secret) => secret.length));
    assert.equal(opened, 24);
    assert.ok((await row(created.id)).last_used_at, "the use path marks it used");
  });
});
