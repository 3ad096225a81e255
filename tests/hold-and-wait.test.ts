// Hold-and-wait (lib/db/held-connection.ts): code that holds a pooled
// connection and asks the pool for a second one starves the pool under load
// (README "Performance": the load bench's timeouts). With DB_HOLD_AND_WAIT=throw
// the second acquisition fails, so a test finds it; the request paths fixed
// for it (a credential saved or opened, the Keys page's keyring reads, an
// invitation's link and brand) run their service-role reads on the connection
// they hold.
// First: Next's request storage must be installed before any next/* module loads (helpers/actions).
import "./helpers/actions";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { afterEach, test } from "node:test";
import { clearAllLocal } from "@/lib/cache";
import { createCredential, getCredential } from "@/lib/credentials/store";
import { HoldAndWaitError } from "@/lib/db/held-connection";
import { getPool } from "@/lib/db/pool";
import { withServiceRole } from "@/lib/db/service-role";
import { loadTenantDetail } from "@/lib/lifecycle/detail-page";
import { isolationYaml } from "@/lib/lifecycle/isolation-download";
import { openMailBody } from "@/lib/mail/seal";
import { inviteByEmail } from "@/lib/team/invite";
import { loadKeysPage } from "@/lib/vault/rotation-page";
import { useFixtureEnv } from "./helpers/fixture-env";
import { routeCustomDomain } from "./helpers/custom-domains";

const env = useFixtureEnv();
afterEach(() => {
  delete process.env.DB_HOLD_AND_WAIT;
});

test("a second pooled connection asked for inside a transaction fails with DB_HOLD_AND_WAIT=throw, and only then", async () => {
  process.env.DB_HOLD_AND_WAIT = "throw";
  await assert.rejects(
    env.as("acmeAdmin", () => withServiceRole("vault.keys", async () => 1)),
    (e: unknown) => e instanceof HoldAndWaitError,
  );
  await assert.rejects(env.as("acmeAdmin", () => getPool().query("select 1")), (e: unknown) => e instanceof HoldAndWaitError);
  // One after the other is fine, and so is everything with the check off.
  assert.equal(await env.as("acmeAdmin", async () => 1), 1);
  assert.equal(await withServiceRole("vault.keys", async () => 2), 2);
  delete process.env.DB_HOLD_AND_WAIT;
  assert.equal(await env.as("acmeAdmin", () => withServiceRole("vault.keys", async () => 3)), 3);
});

test("saving and reading a credential, and the Keys page, hold one connection", async () => {
  process.env.DB_HOLD_AND_WAIT = "throw";
  const secret = [...randomBytes(24)].map((b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[b % 62]).join("");
  const saved = await env.as("acmeAdmin", (tx) =>
    createCredential(tx, {
      tenantId: env.fx.tenants.acme,
      connector: "generic_api_key",
      name: "Held once",
      config: { baseUrl: "https://api.example.com/v1", testPath: "/me", headerName: "X-Api-Key" },
      secret,
    }),
  );
  assert.equal((await env.as("acmeAdmin", (tx) => getCredential(tx, env.fx.tenants.acme, saved.id)))?.name, "Held once");
  const keys = await env.as("msspAdmin", (tx) => loadKeysPage(tx));
  assert.ok(keys.keks.length > 0 && keys.tenants.length > 0, "the Keys page has its KEK cards and tenants");
});

test("a customer's console page (its keys and data counts) and its manifests download hold one connection", async () => {
  process.env.DB_HOLD_AND_WAIT = "throw";
  const detail = await env.as("msspAdmin", (tx) => loadTenantDetail(tx, "acme"));
  assert.ok(detail?.keys && detail.keys.length > 0, "the keys were read (service role, on the page's connection)");
  assert.ok(detail?.rows?.some((r) => r.table === "public.alerts"), "and the data counts");
  const yaml = await env.as("msspAdmin", (tx) => isolationYaml(tx, "acme"));
  assert.match(yaml ?? "", /kind: Namespace/);
});


test("an invitation, with the domain and brand caches cold, holds one connection and links the tenant's custom domain", async () => {
  const domain = "portal.globex-held.test";
  await routeCustomDomain(env, env.fx.tenants.globex, domain);
  // Cold: the primary domain and the brand are read on a miss (lib/domains/resolve.ts, lib/branding/resolve.ts).
  clearAllLocal();
  process.env.DB_HOLD_AND_WAIT = "throw";
  const email = "held-invitee@example.test";
  const sent = await env.as("globexAdmin", (tx) =>
    inviteByEmail(tx.db, { tenantId: env.fx.tenants.globex, email, role: "tenant_viewer", invitedBy: env.fx.users.globexAdmin, timeZone: "UTC" }),
  );
  const [mail] = await env.owner<{ id: string; body_sealed: Buffer }>("select id, body_sealed from mail.outbox where id = $1", [sent.mailId]);
  const link = new URL(/(https?:\/\/\S+)/.exec(openMailBody(mail.id, mail.body_sealed).text)![1]);
  // A new address (no membership beyond globex): the custom domain, read on the inviting transaction.
  assert.equal(link.hostname, domain);
  assert.equal(link.pathname, "/invite");
});
