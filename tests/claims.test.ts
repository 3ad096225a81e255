// The access-token hook (public.custom_access_token_hook) and what the
// policies make of claims: Supabase's required claims survive, the tenant
// claims are added, an active tenant can only narrow scope, and hand-forged
// claims (another tenant_id, a padded `tenants` list, an unknown `sub`) gain
// nothing, because policies re-read memberships instead of trusting claims.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type pg from "pg";
import { accessTokenHookEvent } from "@/lib/db/claims";
import { inTransaction } from "@/lib/db/with-tenant";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as, asRolledBack, assertRefused, assertRows, attempt, caller } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const REQUIRED = ["iss", "aud", "exp", "iat", "sub", "role", "aal", "session_id", "email", "phone", "is_anonymous"];

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

type JsonClaims = Record<string, any>;

/** Calls the hook as the owner and returns its output claims. */
async function hook(event: object): Promise<JsonClaims> {
  return withClient(db.url, async (c) => {
    const { rows } = await c.query("select public.custom_access_token_hook($1::jsonb) as out", [JSON.stringify(event)]);
    return rows[0].out.claims;
  });
}

function honestClaims(user: UserName, active?: TenantSlug): Promise<JsonClaims> {
  return hook(accessTokenHookEvent(caller(fx, user, active)));
}

/** Sets request.jwt.claims by hand (as the owner), then runs `fn` as `authenticated`. */
function withForgedClaims<T>(claims: JsonClaims, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(async (client) => {
    await client.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(claims)]);
    await client.query("set local role authenticated");
    return fn(client);
  });
}

/** Everything a caller can see, by table: sorted row keys. */
async function visible(client: pg.PoolClient): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [table, key] of [
    ["alerts", "id"],
    ["assets", "id"],
    ["tenants", "slug"],
    ["memberships", "tenant_id || '/' || user_id"],
    ["users", "id"],
  ]) {
    out[table] = (await client.query(`select (${key})::text as k from public.${table}`)).rows.map((r) => r.k).sort();
  }
  return out;
}

describe("the hook's output", () => {
  test("keeps every claim Supabase requires, unchanged, and any extra claim", async () => {
    const input = {
      iss: "https://project.supabase.co/auth/v1",
      aud: "authenticated",
      exp: 2_000_000_000,
      iat: 1_999_996_400,
      sub: fx.users.acmeAdmin,
      role: "authenticated",
      aal: "aal2",
      session_id: "8f6a7f0e-0000-4000-8000-000000000001",
      email: "acme-admin@example.test",
      phone: "+15550100",
      is_anonymous: false,
      amr: [{ method: "password", timestamp: 1_999_996_400 }],
      app_metadata: { provider: "email" },
    };
    const out = await hook({ user_id: fx.users.acmeAdmin, authentication_method: "password", claims: input });
    for (const key of [...REQUIRED, "amr", "app_metadata"]) {
      assert.deepEqual(out[key], input[key as keyof typeof input], `claim ${key}`);
    }
  });

  test("withTenant's claims carry every required claim", async () => {
    const claims = await as(fx, "acmeAdmin", async ({ claims }) => claims);
    for (const key of REQUIRED) assert.ok(key in claims, `missing ${key}`);
    assert.equal(claims.sub, fx.users.acmeAdmin);
    assert.equal(claims.role, "authenticated");
  });

  test("adds the membership roots, the active tenant and its path", async () => {
    const claims = await honestClaims("twoCustomers", "globex");
    assert.deepEqual(
      claims.tenants.map((t: JsonClaims) => [t.tenant_id, t.slug, t.path, t.role]),
      [
        [fx.tenants.acme, "acme", "mssp_a.acme", "tenant_viewer"],
        [fx.tenants.globex, "globex", "mssp_a.globex", "tenant_analyst"],
      ],
    );
    assert.equal(claims.tenant_id, fx.tenants.globex);
    assert.equal(claims.tenant_path, "mssp_a.globex");
  });

  test("no requested tenant: tenant_id and tenant_path are null", async () => {
    const claims = await honestClaims("acmeAdmin");
    assert.equal(claims.tenant_id, null);
    assert.equal(claims.tenant_path, null);
    assert.equal(claims.tenants.length, 1);
  });

  test("a user without memberships gets an empty tenants list", async () => {
    const claims = await honestClaims("noMemberships", "acme");
    assert.deepEqual(claims.tenants, []);
    assert.equal(claims.tenant_id, null);
  });
});

describe("the requested active tenant is kept only if a membership covers it", () => {
  const cases: [UserName, TenantSlug, boolean][] = [
    ["acmeAdmin", "acme", true],
    ["acmeAdmin", "acme-eu", true], // below the membership
    ["msspAdmin", "acme-us", true],
    ["acmeAdmin", "globex", false], // sibling
    ["acmeAdmin", "mssp-a", false], // an ancestor is not covered
    ["acmeEuAdmin", "acme-us", false],
    ["msspBAdmin", "acme", false],
  ];
  for (const [user, active, kept] of cases) {
    test(`${user} asking for ${active}: ${kept ? "kept" : "dropped"}`, async () => {
      const claims = await honestClaims(user, active);
      assert.equal(claims.tenant_id, kept ? fx.tenants[active] : null);
      const viaAppMetadata = await hook({
        user_id: fx.users[user],
        claims: { sub: fx.users[user], role: "authenticated", app_metadata: { tenant_id: fx.tenants[active] } },
      });
      assert.equal(viaAppMetadata.tenant_id, kept ? fx.tenants[active] : null);
    });
  }

  test("a requested tenant that is not a uuid is dropped", async () => {
    const out = await hook({ user_id: fx.users.acmeAdmin, claims: { tenant_id: "acme' or 1=1 --" } });
    assert.equal(out.tenant_id, null);
  });
});

describe("the active tenant narrows scope", () => {
  test("acme admin with active acme-eu sees acme-eu rows only", async () => {
    const [narrow, whole] = await Promise.all([
      as(fx, "acmeAdmin", ({ client }) => visible(client), "acme-eu"),
      as(fx, "acmeAdmin", ({ client }) => visible(client)),
    ]);
    assert.deepEqual(narrow.alerts, [...fx.alerts["acme-eu"]].sort());
    assert.deepEqual(narrow.tenants, ["acme-eu"]);
    assert.deepEqual(whole.tenants, ["acme", "acme-eu", "acme-us"]); // control: without it, the whole subtree
  });

  test("MSSP admin with active acme sees the acme subtree only", async () => {
    const v = await as(fx, "msspAdmin", ({ client }) => visible(client), "acme");
    assert.deepEqual(v.tenants, ["acme", "acme-eu", "acme-us"]);
  });

  test("writes narrow too: acme admin active on acme-eu cannot insert into acme-us", async () => {
    // A comment: the row people insert on alerts (alerts themselves come from API keys, migration 20261201031100).
    const insert = "insert into public.alert_events (tenant_id, alert_id, kind, actor_id, body) values ($1, $2, 'comment', auth.uid(), 't')";
    const [us, eu] = await asRolledBack(
      fx,
      "acmeAdmin",
      async ({ client }) => [
        await attempt(client, insert, [fx.tenants["acme-us"], fx.alerts["acme-us"][0]]),
        await attempt(client, insert, [fx.tenants["acme-eu"], fx.alerts["acme-eu"][0]]),
      ],
      "acme-eu",
    );
    assertRefused(us);
    assertRows(eu, 1);
  });
});

describe("forged claims gain nothing", () => {
  test("control: honest claims set by hand see the same as withTenant", async () => {
    const byHand = await withForgedClaims(await honestClaims("acmeAdmin"), visible);
    const viaWithTenant = await as(fx, "acmeAdmin", ({ client }) => visible(client));
    assert.deepEqual(byHand, viaWithTenant);
    assert.equal(byHand.alerts.length, 6);
  });

  test("a tenant_id of another tenant (globex) shows nothing of it", async () => {
    const honest = await withForgedClaims(await honestClaims("acmeAdmin"), visible);
    const forged = await withForgedClaims({ ...(await honestClaims("acmeAdmin")), tenant_id: fx.tenants.globex }, visible);
    for (const table of ["alerts", "assets", "tenants", "memberships"]) {
      assert.ok(forged[table].every((k) => honest[table].includes(k)), `${table}: forged claims saw extra rows`);
    }
    assert.ok(!forged.tenants.includes("globex"));
    assert.deepEqual(forged.alerts, []);
  });

  test("a forged tenants list naming globex as admin shows nothing extra and writes nothing there", async () => {
    const honest = await honestClaims("acmeAdmin");
    const padded = {
      ...honest,
      tenants: [...honest.tenants, { tenant_id: fx.tenants.globex, slug: "globex", path: "mssp_a.globex", role: "tenant_admin" }],
    };
    const [forgedView, insert] = await withForgedClaims(padded, async (c) => [
      await visible(c),
      await attempt(c, "insert into public.alerts (tenant_id, title, severity, source) values ($1, 't', 'low', 'x')", [
        fx.tenants.globex,
      ]),
    ]);
    assert.deepEqual(forgedView, await withForgedClaims(honest, visible));
    assertRefused(insert as Awaited<ReturnType<typeof attempt>>);
  });

  test("a forged tenants list plus tenant_id of globex, with role service_role, still sees nothing of globex", async () => {
    const honest = await honestClaims("acmeAdmin");
    const forged = await withForgedClaims(
      {
        ...honest,
        role: "service_role",
        tenant_id: fx.tenants.globex,
        tenant_path: "mssp_a.globex",
        tenants: [{ tenant_id: fx.tenants.globex, slug: "globex", path: "mssp_a.globex", role: "mssp_admin" }],
      },
      visible,
    );
    assert.deepEqual(forged.alerts, []);
    assert.deepEqual(forged.tenants, []);
  });

  test("a sub of no existing user sees nothing, even with an acme tenants list", async () => {
    const ghost = "00000000-0000-4000-8000-00000000dead";
    const honest = await honestClaims("acmeAdmin", "acme");
    const seen = await withForgedClaims({ ...honest, sub: ghost }, visible);
    for (const [table, rows] of Object.entries(seen)) assert.deepEqual(rows, [], `${table} visible to a ghost`);
    const control = await withForgedClaims(honest, visible);
    assert.ok(control.alerts.length > 0, "control: the same claims with the real sub see rows");
  });

  test("no claims at all under authenticated sees nothing", async () => {
    const seen = await inTransaction(async (client) => {
      await client.query("set local role authenticated");
      return visible(client);
    });
    for (const [table, rows] of Object.entries(seen)) assert.deepEqual(rows, [], table);
  });
});

describe("who may run the hook", () => {
  for (const role of ["authenticated", "anon"]) {
    test(`${role} cannot execute it (42501)`, async () => {
      const o = await inTransaction(async (client) => {
        await client.query(`set local role ${role}`);
        return attempt(client, "select public.custom_access_token_hook($1::jsonb)", [
          JSON.stringify(accessTokenHookEvent({ userId: fx.users.msspAdmin })),
        ]);
      });
      assertRefused(o);
    });
  }

  test("supabase_auth_admin can (control), and gets the real memberships", async () => {
    // As the owner: the app's own login role (portal_app) is not a member of supabase_auth_admin.
    const o = await withClient(db.url, async (client) => {
      await client.query("begin");
      try {
        await client.query("set local role supabase_auth_admin");
        return await attempt(client, "select public.custom_access_token_hook($1::jsonb) -> 'claims' as claims", [
          JSON.stringify(accessTokenHookEvent({ userId: fx.users.msspAdmin })),
        ]);
      } finally {
        await client.query("rollback");
      }
    });
    assertRows(o, 1);
    if (o.ok) assert.deepEqual(o.rows[0].claims.tenants.map((t: JsonClaims) => t.slug), ["mssp-a"]);
  });
});
