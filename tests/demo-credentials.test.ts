// The demo seed's connector credentials: sealed like any other (they open
// through the use path for the tenant's admin), random per load, well-formed
// for their connector, one expiring soon and one expired.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { checkSecret, listCredentials, useCredential } from "@/lib/credentials";
import { withTenant } from "@/lib/db/with-tenant";
import { DEMO_CREDENTIALS } from "@/lib/demo/credentials";
import { seedDemo } from "@/lib/demo/seed";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await seedDemo(client, { authSecret: "demo-credentials-test-secret" });
  } finally {
    await client.end();
  }
});
after(() => db.drop());

const ids = (sql: string, params: unknown[]) => withClient(db.url, async (c) => (await c.query(sql, params)).rows[0]?.id as string);

test("each demo credential opens for an admin of its tenant and is well-formed for its connector", async () => {
  const admin = await ids("select id from public.users where email = 'mssp.admin@demo.test'", []);
  for (const demo of DEMO_CREDENTIALS) {
    const tenantId = await ids("select id from public.tenants where slug = $1", [demo.tenantSlug]);
    const [row] = (await withTenant({ userId: admin }, (tx) => listCredentials(tx, tenantId))).filter((c) => c.name === demo.name);
    assert.ok(row, `${demo.name} is listed`);
    const secret = await withTenant({ userId: admin }, (tx) =>
      useCredential(tx, { tenantId, credentialId: row.id, purpose: "demo-check" }, async (s) => s),
    );
    assert.ok(checkSecret(demo.connector, secret).ok, `${demo.name}: the generated secret fits the connector's rules`);
    assert.equal(row.secretHint, secret.slice(-4));
  }
});

test("one expires soon, one has expired; a viewer sees them masked", async () => {
  const viewer = await ids("select id from public.users where email = 'acme.viewer@demo.test'", []);
  const acme = await withClient(db.url, async (c) => (await c.query("select id from public.tenants where slug in ('acme', 'acme-eu-west')")).rows.map((r) => r.id));
  const rows = await withTenant({ userId: viewer }, (tx) => listCredentials(tx, acme));
  const statuses = rows.map((r) => r.status).sort();
  assert.ok(statuses.includes("expiring") && statuses.includes("expired"), statuses.join(","));
  for (const r of rows) assert.match(r.masked, /^••••.{4}$/);
});

test("no demo secret is a fixed string: the sealed rows differ from load to load", async () => {
  // Seal output is random anyway; what matters is the plaintext. Two loads of
  // the generator give different secrets for every credential.
  const a = DEMO_CREDENTIALS.map((c) => c.secret());
  const b = DEMO_CREDENTIALS.map((c) => c.secret());
  for (let i = 0; i < a.length; i++) assert.notEqual(a[i], b[i]);
});
