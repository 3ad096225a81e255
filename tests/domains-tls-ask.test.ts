// Who may ask /api/tls/ask, and what it answers (app/api/tls/ask, lib/domains/ask.ts),
// on a real Postgres through the real route handler in a Next request scope:
//   - a question without TLS_ASK_SECRET (or with a wrong one) is 404 for every
//     name, the console and routed custom domains included: nobody but the TLS
//     terminator learns which tenants or domains exist;
//   - with it: 200 for the console, a tenant's subdomain and its routed custom
//     domain; 404 for a pending domain, an unknown name, and for every host of
//     a tenant being offboarded or offboarded, or below one that is;
//   - with TLS_ASK_PORTAL_SUBDOMAINS=0 (deploy/caddy/Caddyfile.wildcard): 404 for
//     the portal's own hosts (a wildcard certificate serves them), custom
//     domains as before;
//   - a TLS_ASK_SECRET too short to be a secret stops the server at start.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { inRequest } from "./helpers/actions";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const SECRET = "tls-ask-test-secret-0123456789abcdef";
let db: TestDatabase;
let fx: Fixtures;
const owner = (sql: string, params: unknown[] = []) => withClient(db.url, (c) => c.query(sql, params));

before(async () => {
  process.env.TLS_ASK_SECRET = SECRET;
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  await owner(
    `insert into public.custom_domains (tenant_id, domain, skeleton, token, status, verified_at) values
       ($1, 'soc.acme.test', 'soc.acme.test', 'ask-test-token-0123456789abcdef', 'verified', now()),
       ($1, 'pending.acme.test', 'pending.acme.test', 'ask-test-token-abcdef0123456789', 'pending', null),
       ($2, 'soc.globex.test', 'soc.globex.test', 'ask-test-token-globex0123456789', 'verified', now())`,
    [fx.tenants.acme, fx.tenants.globex],
  );
});
after(() => db?.drop());

/** The route's answer to a question, asked with `secret` (null: none) on `host` (Caddy asks by address). */
async function ask(domain: string, secret: string | null = SECRET, host = "127.0.0.1:3000"): Promise<number> {
  const { GET } = await import("@/app/api/tls/ask/route");
  const q = new URLSearchParams({ ...(secret === null ? {} : { secret }), domain });
  return inRequest({ host }, async () => (await GET(new Request(`http://${host}/api/tls/ask?${q}`))).status);
}

describe("/api/tls/ask", () => {
  test("without the terminator's secret, every name is 404, on every host", async () => {
    for (const name of ["localhost", "acme.localhost", "soc.acme.test", "no-such-tenant.localhost", "evil.test"]) {
      for (const host of ["127.0.0.1:3000", "localhost:3000", "acme.localhost:3000"]) {
        assert.equal(await ask(name, null, host), 404, `${name} asked on ${host} without a secret`);
        assert.equal(await ask(name, "not-the-secret-0123456789abcdef0123", host), 404, `${name} asked on ${host} with a wrong secret`);
      }
    }
    assert.equal(await ask("soc.acme.test", `${SECRET}x`), 404, "a longer secret");
    assert.equal(await ask("soc.acme.test", SECRET.slice(0, -1)), 404, "a shorter secret");
  });

  test("with it: the portal's hosts and routed domains of live tenants", async () => {
    assert.equal(await ask("localhost"), 200);
    assert.equal(await ask("acme.localhost"), 200);
    assert.equal(await ask("acme-eu.localhost"), 200);
    assert.equal(await ask("soc.acme.test"), 200);
    assert.equal(await ask("soc.globex.test"), 200);
    for (const name of ["pending.acme.test", "no-such-tenant.localhost", "evil.test", "10.0.0.1", ""]) assert.equal(await ask(name), 404, name);
  });

  test("TLS_ASK_PORTAL_SUBDOMAINS=0 (a wildcard certificate serves them): the portal's own hosts are 404, custom domains still 200", async () => {
    process.env.TLS_ASK_PORTAL_SUBDOMAINS = "0";
    try {
      for (const name of ["localhost", "portal.localhost", "acme.localhost", "acme-eu.localhost", "globex.localhost"]) assert.equal(await ask(name), 404, name);
      assert.equal(await ask("soc.acme.test"), 200, "a verified custom domain");
      assert.equal(await ask("soc.globex.test"), 200, "another's verified custom domain");
      for (const name of ["pending.acme.test", "evil.test"]) assert.equal(await ask(name), 404, name);
    } finally {
      delete process.env.TLS_ASK_PORTAL_SUBDOMAINS;
    }
    assert.equal(await ask("acme.localhost"), 200, "unset: the default says yes again");
    const { parseSettings } = await import("@/lib/config");
    assert.equal(parseSettings({}).TLS_ASK_PORTAL_SUBDOMAINS, true);
    assert.throws(() => parseSettings({ TLS_ASK_PORTAL_SUBDOMAINS: "wildcard" }), /TLS_ASK_PORTAL_SUBDOMAINS must be 1 or 0/);
  });

  test("a tenant being offboarded, or offboarded, and everything below it: 404", async () => {
    await owner("update public.tenants set status = 'deprovisioning', deprovision_after = now() + interval '30 days' where id = $1", [fx.tenants.acme]);
    for (const name of ["acme.localhost", "acme-eu.localhost", "soc.acme.test"]) assert.equal(await ask(name), 404, name);
    assert.equal(await ask("soc.globex.test"), 200, "another customer is untouched");
    await owner("update public.tenants set status = 'deprovisioned' where id = $1", [fx.tenants.globex]);
    assert.equal(await ask("globex.localhost"), 404);
    assert.equal(await ask("soc.globex.test"), 404);
    assert.equal(await ask("localhost"), 200, "the console");
  });

  test("a TLS_ASK_SECRET too short to be a secret stops the server at start", async () => {
    const { parseSettings } = await import("@/lib/config");
    assert.throws(() => parseSettings({ TLS_ASK_SECRET: "short" }), /TLS_ASK_SECRET must be at least 32/);
    assert.throws(() => parseSettings({ TLS_ASK_SECRET: `${"x".repeat(32)}&domain=evil.test` }), /TLS_ASK_SECRET/);
    assert.equal(parseSettings({ TLS_ASK_SECRET: SECRET }).TLS_ASK_SECRET, SECRET);
  });
});
