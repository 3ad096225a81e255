// API keys as principals (migration 20261201010000, lib/api/keys): the key
// format, scopes never beyond the creator (a PDP whose scoped policy takes a
// scope's action from Acme's admins), a key under RLS exactly like a user of
// its tenant (0 rows of other tenants, writes only with a write scope, no key
// or audit rows, nothing once revoked or expired), the PDP answering a key
// only for its scopes, and the hourly budget of "Test connection".
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { base32, generateKey, hashSecret, keyPrefix, parseKey, unbase32 } from "@/lib/api/keys/format";
import { revokeApiKey } from "@/lib/api/keys/store";
import { API_SCOPES } from "@/lib/api/keys/scopes";
import { ACTIONS, checkActions, principalFromClaims, tenantResource } from "@/lib/authz";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { takeConnectionTest } from "@/lib/credentials/test-limit";
import { createKeyAs } from "./helpers/api-keys";
import { emailOf, insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { startScopedPdp, type ScopedPdp } from "./helpers/scoped-pdp";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let pdp: ScopedPdp;

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  // Acme's own policy: its tenant admins may not read usage (so may not give a key usage:read).
  pdp = await startScopedPdp(db.url, fx, {
    denies: [{ tenant: "acme", name: "acme-admins-do-not-read-usage", actions: ["usage:read"], derivedRoles: ["tenant_admin"] }],
  });
  process.env.CERBOS_URL = pdp.url;
});
after(async () => {
  await db?.drop();
  await pdp?.stop();
});

function owner<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
  return withClient(db.url, async (c) => (await c.query<T>(sql, params)).rows);
}

const asUser = <T>(user: UserName, fn: (tx: TenantTx) => Promise<T>) => withTenant({ userId: fx.users[user], email: emailOf(user), activeTenantId: null }, fn);

/** Runs `fn` as the key, the way the gateway does (claims from public.api_key_access_token). */
function asKey<T>(key: string, fn: (tx: TenantTx) => Promise<T>, activeTenantId: string | null = null) {
  const parsed = parseKey(key);
  assert.ok(parsed);
  return withTenant({ userId: parsed.id, apiKey: parsed, activeTenantId }, fn);
}

describe("the key's text", () => {
  test("base32 round-trips and refuses non-canonical text; a key parses to its id and the hash of its secret", () => {
    for (const n of [1, 5, 16, 32]) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255));
      assert.deepEqual(unbase32(base32(bytes), n), bytes);
    }
    assert.equal(base32(Buffer.from("foobar")), "mzxw6ytboi"); // RFC 4648 test vector, lowercase
    assert.equal(unbase32("mzxw6ytboj", 6), null, "non-zero padding bits are refused");
    const k = generateKey();
    assert.match(k.key, /^msp_live_[a-z2-7]{26}_[a-z2-7]{52}$/);
    assert.equal(k.prefix, keyPrefix(k.id));
    const parsed = parseKey(k.key);
    assert.equal(parsed?.id, k.id);
    assert.deepEqual(parsed?.secretHash, k.secretHash);
    assert.deepEqual(k.secretHash, hashSecret(k.key.split("_")[3]));
    for (const bad of [k.key.toUpperCase(), k.key.replace("msp_live_", "msp_test_"), k.key + "a", k.key.slice(0, -1), k.key.replace(/_([a-z2-7])/, "_1"), ""]) {
      assert.equal(parseKey(bad), null, bad);
    }
  });
});

describe("creating keys", () => {
  test("scopes never exceed the creator's: Acme's policy takes usage:read from its admins, so they cannot give it; the MSSP admin can", async () => {
    await assert.rejects(createKeyAs(fx, "acmeAdmin", "acme", ["alerts:read", "usage:read"]), /usage:read/);
    assert.equal((await owner("select 1 from public.api_keys where tenant_id = $1", [fx.tenants.acme])).length, 0, "nothing was created");
    const ok = await createKeyAs(fx, "acmeAdmin", "acme", ["alerts:read", "alerts:write"]);
    assert.deepEqual(ok.scopes, ["alerts:read", "alerts:write"]);
    const mssp = await createKeyAs(fx, "msspAdmin", "acme", ["usage:read"]);
    assert.deepEqual(mssp.scopes, ["usage:read"]);
    // The control: on globex (no such policy) the same admin role may give it.
    assert.deepEqual((await createKeyAs(fx, "globexAdmin", "globex", ["usage:read"])).scopes, ["usage:read"]);
  });

  test("only admins of the tenant or an ancestor create keys (RLS), as themselves, with a bounded expiry", async () => {
    const attempt = (user: UserName, tenant: TenantSlug, createdBy: string, days = 30) =>
      asUser(user, (tx) =>
        tx.client.query(
          `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at, created_by)
           values ($1, gen_random_uuid(), 'x', sha256(gen_random_uuid()::text::bytea), '{alerts:read}', now() + make_interval(days => $3), $2)`,
          [fx.tenants[tenant], createdBy, days],
        ),
      ).then(
        () => "ok",
        (e: { code?: string }) => e.code,
      );
    assert.equal(await attempt("acmeAnalyst", "acme", fx.users.acmeAnalyst), "42501");
    assert.equal(await attempt("acmeAdmin", "globex", fx.users.acmeAdmin), "42501");
    assert.equal(await attempt("acmeAdmin", "acme", fx.users.acmeAnalyst), "42501", "not in someone else's name");
    assert.equal(await attempt("acmeAdmin", "acme", fx.users.acmeAdmin, 400), "23514", "at most a year");
    assert.equal(await attempt("acmeAdmin", "acme", fx.users.acmeAdmin), "ok");
    assert.equal(await attempt("acmeEuAdmin", "acme-eu", fx.users.acmeEuAdmin), "ok");
  });

  test("a key's id is never a person's: the MSSP admin's id as a key id is refused (its claims would carry their memberships)", async () => {
    const withId = (id: string) =>
      asUser("acmeAdmin", (tx) =>
        tx.client.query(
          `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at, created_by)
           values ($1, $2, 'borrowed id', sha256(gen_random_uuid()::text::bytea), '{alerts:read}', now() + interval '30 days', $3)`,
          [fx.tenants.acme, id, fx.users.acmeAdmin],
        ),
      ).then(
        () => "ok",
        (e: { code?: string; hint?: string }) => `${e.code} ${e.hint}`,
      );
    assert.equal(await withId(fx.users.msspAdmin), "23505 api_key_id");
    assert.equal((await owner("select 1 from public.api_keys where id = $1", [fx.users.msspAdmin])).length, 0);
    // Nor the other way round: a user created with a key's id.
    const [key] = await owner<{ id: string }>("select id from public.api_keys limit 1");
    await assert.rejects(owner("insert into public.users (id, email, name) values ($1, 'clash@example.test', 'Clash')", [key.id]), (e: { hint?: string }) => e.hint === "api_key_id");
  });

  test("a key cannot be changed, only revoked, once; nobody deletes one", async () => {
    const k = await createKeyAs(fx, "acmeAdmin", "acme", ["alerts:read"]);
    const code = (sql: string) =>
      asUser("acmeAdmin", (tx) => tx.client.query(sql, [k.id])).then(
        (r) => `rows ${r.rowCount}`,
        (e: { code?: string }) => e.code,
      );
    assert.equal(await code("update public.api_keys set scopes = '{alerts:read,usage:read}' where id = $1"), "42501");
    assert.equal(await code("update public.api_keys set expires_at = now() + interval '300 days' where id = $1"), "42501");
    assert.equal(await code("delete from public.api_keys where id = $1"), "42501");
    await asUser("acmeAdmin", (tx) => revokeApiKey(tx, { tenantId: fx.tenants.acme, keyId: k.id }));
    assert.equal(await code("update public.api_keys set revoked_at = null where id = $1"), "55000", "no un-revoking");
    const [row] = await owner<{ revoked_by: string }>("select revoked_by from public.api_keys where id = $1", [k.id]);
    assert.equal(row.revoked_by, fx.users.acmeAdmin, "the revoker is recorded by the database");
  });
});

describe("a key under RLS and the PDP", () => {
  const count = (tx: TenantTx, table: string) => tx.client.query<{ tenant_id: string; n: number }>(`select tenant_id, count(*)::int as n from public.${table} group by 1`);

  test("a customer key sees its tenant and sites only: 0 rows of every other tenant, in every table it can read", async () => {
    const k = await createKeyAs(fx, "acmeAdmin", "acme", ["alerts:read", "assets:read"]);
    const own = new Set([fx.tenants.acme, fx.tenants["acme-eu"], fx.tenants["acme-us"]]);
    await asKey(k.key, async (tx) => {
      for (const table of ["alerts", "assets", "tenants"]) {
        const rows = table === "tenants" ? (await tx.client.query<{ tenant_id: string; n: number }>("select id as tenant_id, 1 as n from public.tenants")).rows : (await count(tx, table)).rows;
        assert.deepEqual(new Set(rows.map((r) => r.tenant_id)), own, table);
      }
      // What only admins read, a key never does (it holds no admin role): keys, the audit trail, invitations.
      for (const table of ["api_keys", "audit_log", "invitations"]) {
        const { rows } = await tx.client.query(`select 1 from public.${table} limit 1`);
        assert.equal(rows.length, 0, table);
      }
      // What every member of the tenant reads (memberships), a key reads like one: its own subtree only.
      const members = (await count(tx, "memberships")).rows;
      assert.ok(members.length > 0 && members.every((r) => own.has(r.tenant_id)), "memberships of its subtree only");
    });
    // An MSSP key: every tenant of its MSSP, none of the other MSSP's.
    const m = await createKeyAs(fx, "msspAdmin", "mssp-a", ["alerts:read"]);
    await asKey(m.key, async (tx) => {
      const seen = new Set((await count(tx, "alerts")).rows.map((r) => r.tenant_id));
      assert.ok(seen.has(fx.tenants.globex) && seen.has(fx.tenants["acme-eu"]));
      assert.ok(!seen.has(fx.tenants["other-co"]) && !seen.has(fx.tenants["mssp-b"]));
    });
    // Narrowed to one customer (the gateway's /tenants/{slug}): only that subtree.
    await asKey(m.key, async (tx) => {
      const seen = new Set((await count(tx, "alerts")).rows.map((r) => r.tenant_id));
      assert.deepEqual(seen, new Set([fx.tenants.globex]));
    }, fx.tenants.globex);
  });

  test("writes: a read-only key writes nothing; a write key writes in its subtree and never elsewhere", async () => {
    const insert = (tx: TenantTx, tenant: TenantSlug) =>
      tx.client.query("insert into public.alerts (tenant_id, title, severity, source) values ($1, 'from a key', 'low', 'api')", [fx.tenants[tenant]]).then(
        () => "ok",
        (e: { code?: string }) => e.code,
      );
    const reader = await createKeyAs(fx, "acmeAdmin", "acme", ["alerts:read"]);
    assert.equal(await asKey(reader.key, (tx) => insert(tx, "acme")), "42501");
    const writer = await createKeyAs(fx, "acmeAdmin", "acme", ["alerts:write"]);
    assert.equal(await asKey(writer.key, (tx) => insert(tx, "acme")), "ok");
    assert.equal(await asKey(writer.key, (tx) => insert(tx, "acme-eu")), "ok");
    for (const foreign of ["globex", "mssp-a", "other-co"] as const) assert.equal(await asKey(writer.key, (tx) => insert(tx, foreign)), "42501", foreign);
    const changed = await asKey(writer.key, (tx) => tx.client.query("update public.alerts set assigned_to = null where tenant_id = $1", [fx.tenants.globex]));
    assert.equal(changed.rowCount, 0);
  });

  test("a triage key changes an alert's status: the timeline row has no actor (a key is no person), the change is kept", async () => {
    // Before migration 20261201010000 redefined triage.record_alert_change, the timeline took the
    // key id as actor_id and its foreign key to users refused the change (23503).
    const k = await createKeyAs(fx, "acmeAdmin", "acme", ["alerts:triage", "alerts:read"]);
    const alert = fx.alerts.acme[1];
    await asKey(k.key, (tx) => tx.client.query("update public.alerts set status = 'acknowledged' where id = $1", [alert]));
    const events = await owner<{ actor_id: string | null; to_status: string }>(
      "select actor_id, to_status from public.alert_events where alert_id = $1 and kind = 'status'",
      [alert],
    );
    assert.deepEqual(events, [{ actor_id: null, to_status: "acknowledged" }]);
    // A person's change still names them.
    await asUser("acmeAnalyst", (tx) => tx.client.query("update public.alerts set status = 'in_progress' where id = $1", [alert]));
    const [mine] = await owner<{ actor_id: string }>("select actor_id from public.alert_events where alert_id = $1 and to_status = 'in_progress'", [alert]);
    assert.equal(mine.actor_id, fx.users.acmeAnalyst);
  });

  test("revoked, expired, tampered: no claims, no rows, from the next transaction", async () => {
    const k = await createKeyAs(fx, "acmeAdmin", "acme", ["alerts:read"]);
    const seen = (key: string) => asKey(key, async (tx) => ({ status: tx.apiKey?.status, rows: (await tx.client.query("select 1 from public.alerts")).rowCount, claim: tx.claims.api_key ?? null }));
    const before = await seen(k.key);
    assert.equal(before.status, "ok");
    assert.ok((before.rows ?? 0) > 0);
    const i = k.key.length - 5;
    const tampered = k.key.slice(0, i) + (k.key[i] === "a" ? "b" : "a") + k.key.slice(i + 1);
    assert.deepEqual(await seen(tampered), { status: "bad_secret", rows: 0, claim: null });
    await asUser("acmeAdmin", (tx) => revokeApiKey(tx, { tenantId: fx.tenants.acme, keyId: k.id }));
    assert.deepEqual(await seen(k.key), { status: "revoked", rows: 0, claim: null });
    // Revoked while a transaction holds the key's claims: its next statement sees nothing.
    const k2 = await createKeyAs(fx, "acmeAdmin", "acme", ["alerts:read"]);
    await asKey(k2.key, async (tx) => {
      assert.ok(((await tx.client.query("select 1 from public.alerts")).rowCount ?? 0) > 0);
      await owner("update public.api_keys set revoked_at = now() where id = $1", [k2.id]);
      assert.equal((await tx.client.query("select 1 from public.alerts")).rowCount, 0, "the RLS helpers re-read the key each statement");
    });
  });

  test("a person's forged api_key claim opens nothing, and a key's claims make a principal the PDP allows only its scopes", async () => {
    const k = await createKeyAs(fx, "acmeAdmin", "acme", ["alerts:read"]);
    // A session whose claims name the key (sub stays the person's): the helpers need claims.api_key.id = sub.
    await withTenant({ userId: fx.users.noMemberships, activeTenantId: null }, async (tx) => {
      await tx.client.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify({ ...tx.claims, api_key: { id: k.id } })]);
      assert.equal((await tx.client.query("select 1 from public.alerts")).rowCount, 0);
      await tx.client.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify({ ...tx.claims, sub: k.id, api_key: { id: k.id } })]);
      // With sub = the key id too, this is exactly the key's identity; it is what only the key
      // claims function sets after checking the secret (portal_app alone may run it).
    });
    await asKey(k.key, async (tx) => {
      const principal = principalFromClaims(tx.claims);
      assert.equal(principal.kind, "api_key");
      const resource = await tenantResource(tx.db, fx.tenants.acme);
      assert.ok(resource);
      const answers = await checkActions(principal, ACTIONS, resource);
      assert.deepEqual(Object.entries(answers).filter(([, v]) => v).map(([a]) => a), ["alerts:read"]);
    });
    // The claims function is not callable by the API roles.
    await assert.rejects(
      asUser("acmeAdmin", (tx) => tx.client.query("select public.api_key_access_token('{}'::jsonb)")),
      (e: { code?: string }) => e.code === "42501",
    );
  });

  test("every scope a key holds is exactly one allowed action on its subtree", async () => {
    const k = await createKeyAs(fx, "msspAdmin", "acme", [...API_SCOPES]);
    await asKey(k.key, async (tx) => {
      const p = principalFromClaims(tx.claims);
      for (const slug of ["acme", "acme-eu"] as const) {
        const answers = await checkActions(p, ACTIONS, (await tenantResource(tx.db, fx.tenants[slug]))!);
        assert.deepEqual(Object.entries(answers).filter(([, v]) => v).map(([a]) => a).sort(), [...API_SCOPES].sort(), slug);
      }
    });
  });
});

describe("connection tests per tenant", () => {
  test("past limits.connection_tests_per_hour the test is refused with the wait; another tenant is not affected", async () => {
    await owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.connection_tests_per_hour', '2')", [fx.tenants["acme-us"]]);
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(await asUser("acmeUsAdmin", (tx) => takeConnectionTest(tx, fx.tenants["acme-us"])).then(() => "ok", (e: Error) => e.message));
    }
    assert.deepEqual(outcomes.slice(0, 2), ["ok", "ok"]);
    assert.match(outcomes[2], /used its 2 connection tests for the hour\. Try again in \d+ minutes?; the service was not contacted/);
    await asUser("acmeEuAdmin", (tx) => takeConnectionTest(tx, fx.tenants["acme-eu"]));
  });
});
