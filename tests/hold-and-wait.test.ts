// Hold-and-wait (lib/db/held-connection.ts): code that holds a pooled
// connection and asks the pool for a second one starves the pool under load
// (README "Performance": the load bench's timeouts). With DB_HOLD_AND_WAIT=throw
// the second acquisition fails, so a test finds it; the request paths fixed
// for it (a credential saved or opened, the Keys page's keyring reads) run
// their service-role reads on the connection they hold.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, afterEach, before, test } from "node:test";
import { createCredential, getCredential } from "@/lib/credentials/store";
import { HoldAndWaitError } from "@/lib/db/held-connection";
import { getPool } from "@/lib/db/pool";
import { withServiceRole } from "@/lib/db/service-role";
import { loadTenantDetail } from "@/lib/lifecycle/detail-page";
import { isolationYaml } from "@/lib/lifecycle/isolation-download";
import { loadKeysPage } from "@/lib/vault/rotation-page";
import { ensureCerbos } from "@/scripts/lib/cerbos";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  process.env.CERBOS_URL = (await ensureCerbos({ quiet: true })).url;
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
afterEach(() => {
  delete process.env.DB_HOLD_AND_WAIT;
});
after(() => db?.drop());

test("a second pooled connection asked for inside a transaction fails with DB_HOLD_AND_WAIT=throw, and only then", async () => {
  process.env.DB_HOLD_AND_WAIT = "throw";
  await assert.rejects(
    as(fx, "acmeAdmin", () => withServiceRole("vault.keys", async () => 1)),
    (e: unknown) => e instanceof HoldAndWaitError,
  );
  await assert.rejects(as(fx, "acmeAdmin", () => getPool().query("select 1")), (e: unknown) => e instanceof HoldAndWaitError);
  // One after the other is fine, and so is everything with the check off.
  assert.equal(await as(fx, "acmeAdmin", async () => 1), 1);
  assert.equal(await withServiceRole("vault.keys", async () => 2), 2);
  delete process.env.DB_HOLD_AND_WAIT;
  assert.equal(await as(fx, "acmeAdmin", () => withServiceRole("vault.keys", async () => 3)), 3);
});

test("saving and reading a credential, and the Keys page, hold one connection", async () => {
  process.env.DB_HOLD_AND_WAIT = "throw";
  const secret = [...randomBytes(24)].map((b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[b % 62]).join("");
  const saved = await as(fx, "acmeAdmin", (tx) =>
    createCredential(tx, {
      tenantId: fx.tenants.acme,
      connector: "generic_api_key",
      name: "Held once",
      config: { baseUrl: "https://api.example.com/v1", testPath: "/me", headerName: "X-Api-Key" },
      secret,
    }),
  );
  assert.equal((await as(fx, "acmeAdmin", (tx) => getCredential(tx, fx.tenants.acme, saved.id)))?.name, "Held once");
  const keys = await as(fx, "msspAdmin", (tx) => loadKeysPage(tx));
  assert.ok(keys.keks.length > 0 && keys.tenants.length > 0, "the Keys page has its KEK cards and tenants");
});

test("a customer's console page (its keys and data counts) and its manifests download hold one connection", async () => {
  process.env.DB_HOLD_AND_WAIT = "throw";
  const detail = await as(fx, "msspAdmin", (tx) => loadTenantDetail(tx, "acme"));
  assert.ok(detail?.keys && detail.keys.length > 0, "the keys were read (service role, on the page's connection)");
  assert.ok(detail?.rows?.some((r) => r.table === "public.alerts"), "and the data counts");
  const yaml = await as(fx, "msspAdmin", (tx) => isolationYaml(tx, "acme"));
  assert.match(yaml ?? "", /kind: Namespace/);
});

