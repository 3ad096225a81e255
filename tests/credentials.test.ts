// Connector credentials against a real Postgres with real RLS: validation per
// connector, the write-only secret (sealed, masked, never in a column or a
// message), who may do what, the audited use path, and "test connection"
// against a local stub of the vendors' APIs.
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { createCredentialSchema, replaceSecretSchema } from "@/lib/actions/credentials/schemas";
import { fieldErrorsOf } from "@/lib/actions/result";
import {
  CredentialError,
  CredentialUnusableError,
  checkSecret,
  createCredential,
  deleteCredential,
  hintOf,
  listCredentials,
  parseConfig,
  publicHttpsUrlProblem,
  replaceSecret,
  testConnection,
  testEndpoint,
  useCredential,
  type ConnectorKind,
} from "@/lib/credentials";
import { clearKeyCache } from "@/lib/vault/keys";
import { insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

// ---------------------------------------------------------------------------
// Made-up secrets, random per run
// ---------------------------------------------------------------------------
const alnum = (n: number) => {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(n)].map((b) => chars[b % chars.length]).join("");
};
const hex = (n: number) => randomBytes(n).toString("hex").slice(0, n);
const csSecret = () => alnum(40);
const s1Token = () => `eyJ${alnum(60)}.${alnum(40)}`;
const msSecret = () => `${alnum(8)}~${alnum(31)}`;
const guid = () => randomUUID();

const VALID: Record<ConnectorKind, { config: Record<string, string>; secret: () => string }> = {
  crowdstrike_falcon: { config: { region: "eu-1", clientId: hex(32) }, secret: csSecret },
  sentinelone: { config: { consoleUrl: "https://acme.sentinelone.net/" }, secret: s1Token },
  microsoft_defender: { config: { directoryId: guid(), applicationId: guid() }, secret: msSecret },
  splunk_hec: { config: { hecUrl: "https://splunk.example.com:8088", index: "security" }, secret: guid },
  generic_api_key: { config: { baseUrl: "https://api.example.com/v1", testPath: "/me", headerName: "X-Api-Key" }, secret: () => alnum(24) },
};

const asUser = <T>(user: UserName, fn: Parameters<typeof as<T>>[2]) => as(fx, user, fn);
const owner = <T>(fn: (c: import("pg").Client) => Promise<T>) => withClient(db.url, fn);

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------
describe("connector validation", () => {
  test("every connector accepts a well-formed config and secret", () => {
    for (const [kind, v] of Object.entries(VALID) as [ConnectorKind, (typeof VALID)[ConnectorKind]][]) {
      const config = parseConfig(kind, v.config, (f) => f);
      assert.ok(config.ok, `${kind}: ${JSON.stringify(!config.ok && config.fieldErrors)}`);
      assert.ok(checkSecret(kind, v.secret()).ok, `${kind} secret`);
    }
  });

  test("defaults and normalisation", () => {
    const s1 = parseConfig("sentinelone", { consoleUrl: " https://Acme.SentinelOne.net/ " }, (f) => f);
    assert.ok(s1.ok);
    assert.equal(s1.config.consoleUrl, "https://acme.sentinelone.net");
    const generic = parseConfig("generic_api_key", { baseUrl: "https://api.example.com/v2/" }, (f) => f);
    assert.ok(generic.ok);
    assert.deepEqual(generic.config, { baseUrl: "https://api.example.com/v2", testPath: "/", headerName: "Authorization" });
    const cs = parseConfig("crowdstrike_falcon", { clientId: "ABCDEF0123456789ABCDEF0123456789" }, (f) => f);
    assert.ok(cs.ok);
    assert.deepEqual(cs.config, { region: "us-1", clientId: "abcdef0123456789abcdef0123456789" });
    const splunk = parseConfig("splunk_hec", { hecUrl: "https://splunk.example.com:8088", index: "" }, (f) => f);
    assert.ok(splunk.ok);
    assert.equal("index" in splunk.config, false);
  });

  const badConfigs: [ConnectorKind, Record<string, string>, string][] = [
    ["crowdstrike_falcon", { region: "ap-1", clientId: hex(32) }, "region"],
    ["crowdstrike_falcon", { region: "us-1", clientId: "not-hex-at-all-not-hex-at-all-xx" }, "clientId"],
    ["crowdstrike_falcon", { region: "us-1", clientId: hex(31) }, "clientId"],
    ["sentinelone", { consoleUrl: "http://acme.sentinelone.net" }, "consoleUrl"],
    ["sentinelone", { consoleUrl: "https://acme.sentinelone.net/web/api" }, "consoleUrl"],
    ["microsoft_defender", { directoryId: "contoso.onmicrosoft.com", applicationId: guid() }, "directoryId"],
    ["microsoft_defender", { directoryId: guid(), applicationId: "" }, "applicationId"],
    ["splunk_hec", { hecUrl: "https://splunk.example.com:8088", index: "Main Index" }, "index"],
    ["splunk_hec", { hecUrl: "https://10.1.2.3:8088" }, "hecUrl"],
    ["generic_api_key", { baseUrl: "https://api.example.com", headerName: "X Api Key" }, "headerName"],
    ["generic_api_key", { baseUrl: "https://api.example.com", headerName: "Host" }, "headerName"],
    ["generic_api_key", { baseUrl: "https://api.example.com", testPath: "//evil.example.com/x" }, "testPath"],
    ["generic_api_key", { baseUrl: "https://api.example.com", testPath: "no-slash" }, "testPath"],
  ];
  for (const [kind, config, field] of badConfigs) {
    test(`${kind} refuses a bad ${field} (${JSON.stringify(config[field] ?? "")})`, () => {
      const parsed = parseConfig(kind, config, (f) => f);
      assert.equal(parsed.ok, false);
      assert.ok(!parsed.ok && parsed.fieldErrors[field]?.length, JSON.stringify(!parsed.ok && parsed.fieldErrors));
    });
  }

  const badSecrets: [ConnectorKind, string][] = [
    ["crowdstrike_falcon", alnum(39)],
    ["crowdstrike_falcon", `${alnum(39)}-`],
    ["sentinelone", alnum(39)],
    ["sentinelone", `${alnum(30)} ${alnum(30)}`],
    ["microsoft_defender", alnum(29)],
    ["microsoft_defender", `${alnum(20)}\n${alnum(20)}`],
    ["splunk_hec", alnum(36)],
    ["generic_api_key", alnum(7)],
    ["generic_api_key", `${alnum(10)} ${alnum(10)}`],
    ["generic_api_key", alnum(513)],
  ];
  for (const [kind, secret] of badSecrets) {
    test(`${kind} refuses a malformed secret (length ${secret.length}), and the message does not quote it`, () => {
      const checked = checkSecret(kind, secret);
      assert.equal(checked.ok, false);
      for (const message of !checked.ok ? checked.errors : []) {
        for (const part of secret.split(/\s+/)) if (part.length >= 4) assert.ok(!message.includes(part), message);
      }
    });
  }

  test("URLs: https only, no private, loopback, link-local or local names (SSRF)", () => {
    const refused = [
      "http://api.example.com",
      "ftp://api.example.com",
      "https://localhost",
      "https://localhost:8443",
      "https://foo.localhost",
      "https://printer.local",
      "https://metadata.google.internal",
      "https://intranet",
      "https://127.0.0.1",
      "https://127.1.2.3:8088",
      "https://0x7f.1",
      "https://2130706433",
      "https://0.0.0.0",
      "https://10.0.0.5",
      "https://172.16.4.4",
      "https://172.31.255.255",
      "https://192.168.1.10",
      "https://169.254.169.254",
      "https://100.64.0.1",
      "https://224.0.0.1",
      "https://[::1]",
      "https://[::]",
      "https://[fe80::1]",
      "https://[fd00::1]",
      "https://[::ffff:10.0.0.1]",
      "https://[::ffff:127.0.0.1]",
      "https://[::ffff:7f00:1]",
      "https://[64:ff9b::a9fe:a9fe]",
      "https://user:pw@api.example.com",
      "https://api.example.com/#x",
      "not a url",
    ];
    for (const url of refused) assert.ok(publicHttpsUrlProblem(url, { allowPath: true }), `should refuse ${url}`);
    const accepted = ["https://api.example.com", "https://8.8.8.8", "https://[2606:4700:4700::1111]", "https://splunk.example.com:8088", "https://172.32.0.1"];
    for (const url of accepted) assert.equal(publicHttpsUrlProblem(url), null, `should accept ${url}`);
  });

  test("the create form's field errors never echo the submitted secret", () => {
    const secret = `${alnum(20)} ${alnum(25)}`; // a space: refused
    const result = createCredentialSchema.safeParse({
      tenantId: fx.tenants.acme,
      connector: "crowdstrike_falcon",
      name: "",
      cfg_region: "us-1",
      cfg_clientId: "nope",
      secret,
    });
    assert.equal(result.success, false);
    const errors = fieldErrorsOf(result.error!);
    assert.ok(errors.name && errors.cfg_clientId && errors.secret, JSON.stringify(errors));
    const text = JSON.stringify(errors);
    for (const part of secret.split(" ")) assert.ok(!text.includes(part));
    const replace = replaceSecretSchema.safeParse({ tenantId: fx.tenants.acme, credentialId: randomUUID(), connector: "splunk_hec", secret: "x".repeat(36) });
    assert.equal(replace.success, false);
    assert.ok(!JSON.stringify(fieldErrorsOf(replace.error!)).includes("x".repeat(8)));
  });

  test("expiry dates: valid future dates only", () => {
    const base = { tenantId: fx.tenants.acme, connector: "generic_api_key", name: "x", cfg_baseUrl: "https://api.example.com", secret: alnum(20) };
    const ok = createCredentialSchema.safeParse({ ...base, expiresAt: `${new Date().getUTCFullYear() + 1}-02-28` });
    assert.ok(ok.success);
    assert.ok(ok.data.expiresAt instanceof Date);
    for (const bad of ["2020-01-01", "2027-02-30", "31/01/2027", `${new Date().getUTCFullYear() + 20}-01-01`]) {
      const r = createCredentialSchema.safeParse({ ...base, expiresAt: bad });
      assert.equal(r.success, false, bad);
      assert.ok(fieldErrorsOf(r.error!).expiresAt, bad);
    }
  });

  test("CONNECTOR_TEST_ENDPOINT is ignored in production unless explicitly allowed", () => {
    assert.equal(testEndpoint({ NODE_ENV: "test", CONNECTOR_TEST_ENDPOINT: "http://127.0.0.1:1/" }), "http://127.0.0.1:1");
    assert.equal(testEndpoint({ NODE_ENV: "production", CONNECTOR_TEST_ENDPOINT: "http://127.0.0.1:1" }), null);
    assert.equal(
      testEndpoint({ NODE_ENV: "production", CONNECTOR_TEST_ENDPOINT: "http://127.0.0.1:1", CONNECTOR_TEST_ENDPOINT_ALLOW_PRODUCTION: "1" }),
      "http://127.0.0.1:1",
    );
    assert.equal(testEndpoint({ NODE_ENV: "test" }), null);
  });
});

// ---------------------------------------------------------------------------
// Store
// ---------------------------------------------------------------------------
async function ownerRow(tenantId: string, id: string) {
  return owner(async (c) => (await c.query("select * from public.credentials where tenant_id = $1 and id = $2", [tenantId, id])).rows[0]);
}

/** Every column of every credential row as the owner reads it, as text. */
async function everyColumnAsText(): Promise<string> {
  return owner(async (c) => {
    const { rows } = await c.query<{ t: string }>("select row_to_json(c)::text as t from public.credentials c");
    return rows.map((r) => r.t).join("\n");
  });
}

test("a short secret gets no hint: four characters of eight would give away half", () => {
  assert.equal(hintOf("abcd1234"), "");
  assert.equal(hintOf("abcdefghijklmno"), "");
  assert.equal(hintOf("abcdefghijklmnop"), "mnop");
});

describe("store", () => {
  test("an admin creates a credential: masked result, sealed row, no plaintext in any column", async () => {
    const secret = csSecret();
    const created = await asUser("acmeAdmin", (tx) =>
      createCredential(tx, { tenantId: fx.tenants.acme, connector: "crowdstrike_falcon", name: "Falcon prod", config: VALID.crowdstrike_falcon.config, secret }),
    );
    assert.equal(created.name, "Falcon prod");
    assert.equal(created.secretHint, secret.slice(-4));
    assert.equal(created.masked, `••••${secret.slice(-4)}`);
    assert.equal(created.status, "none");
    assert.ok(!JSON.stringify(created).includes(secret));
    assert.equal("sealed" in created, false);

    const row = await ownerRow(fx.tenants.acme, created.id);
    assert.equal(row.created_by, fx.users.acmeAdmin);
    assert.equal(row.key_version, 1);
    assert.ok(Buffer.isBuffer(row.sealed) && row.sealed.length > 29);
    const text = await everyColumnAsText();
    for (const form of [secret, Buffer.from(secret).toString("hex"), Buffer.from(secret).toString("base64")]) {
      assert.ok(!text.includes(form), "plaintext (or an encoding of it) found in the table");
    }
    assert.ok(!row.sealed.includes(Buffer.from(secret)), "plaintext found in the sealed bytes");
  });

  test("list: masked rows with expiry status, for the tenant and its ancestors' admins", async () => {
    const now = Date.now();
    await asUser("acmeAdmin", async (tx) => {
      await createCredential(tx, { tenantId: fx.tenants.acme, connector: "splunk_hec", name: "Splunk soon", config: VALID.splunk_hec.config, secret: guid(), expiresAt: new Date(now + 3 * 86_400_000) });
      await createCredential(tx, { tenantId: fx.tenants.acme, connector: "sentinelone", name: "S1 later", config: VALID.sentinelone.config, secret: s1Token(), expiresAt: new Date(now + 90 * 86_400_000) });
    });
    // An expired one, as if it had aged (the form refuses past dates).
    await owner((c) => c.query("update public.credentials set expires_at = now() - interval '2 days' where name = 'S1 later'"));
    const list = await asUser("acmeViewer", (tx) => listCredentials(tx, fx.tenants.acme));
    const byName = new Map(list.map((c) => [c.name, c]));
    assert.equal(byName.get("Splunk soon")?.status, "expiring");
    assert.equal(byName.get("Splunk soon")?.daysLeft, 3);
    assert.equal(byName.get("S1 later")?.status, "expired");
    assert.equal(byName.get("Falcon prod")?.status, "none");
    for (const c of list) assert.equal("sealed" in c, false);
    // The MSSP admin above sees them too; several tenants at once.
    const mssp = await asUser("msspAdmin", (tx) => listCredentials(tx, [fx.tenants.acme, fx.tenants.globex]));
    assert.ok(mssp.length >= 3);
  });

  test("a duplicate name is a clear refusal, and the transaction carries on", async () => {
    await asUser("acmeAdmin", async (tx) => {
      await assert.rejects(
        createCredential(tx, { tenantId: fx.tenants.acme, connector: "generic_api_key", name: "Falcon prod", config: VALID.generic_api_key.config, secret: alnum(20) }),
        (e: unknown) => e instanceof CredentialError && /already exists/.test(e.message),
      );
      // Same name in a site is fine (unique per tenant).
      await createCredential(tx, { tenantId: fx.tenants["acme-eu"], connector: "generic_api_key", name: "Falcon prod", config: VALID.generic_api_key.config, secret: alnum(20) });
    });
  });

  test("bad input is refused by the store too (not only by the form)", async () => {
    await assert.rejects(
      asUser("acmeAdmin", (tx) =>
        createCredential(tx, { tenantId: fx.tenants.acme, connector: "sentinelone", name: "x", config: { consoleUrl: "https://169.254.169.254" }, secret: s1Token() }),
      ),
      CredentialError,
    );
    await assert.rejects(
      asUser("acmeAdmin", (tx) => createCredential(tx, { tenantId: fx.tenants.acme, connector: "splunk_hec", name: "x", config: VALID.splunk_hec.config, secret: "short" })),
      CredentialError,
    );
  });

  test("replace secret: re-sealed, new hint, rotated_at/by; the new secret opens", async () => {
    const first = guid();
    const created = await asUser("acmeAdmin", (tx) =>
      createCredential(tx, { tenantId: fx.tenants.acme, connector: "splunk_hec", name: "Splunk replace", config: VALID.splunk_hec.config, secret: first }),
    );
    const before = await ownerRow(fx.tenants.acme, created.id);
    const second = guid();
    const replaced = await asUser("msspAdmin", (tx) => replaceSecret(tx, { tenantId: fx.tenants.acme, credentialId: created.id, secret: second }));
    assert.equal(replaced.secretHint, second.slice(-4));
    assert.ok(replaced.rotatedAt);
    const after = await ownerRow(fx.tenants.acme, created.id);
    assert.equal(after.rotated_by, fx.users.msspAdmin);
    assert.ok(!before.sealed.equals(after.sealed));
    const opened = await asUser("acmeAdmin", (tx) => useCredential(tx, { tenantId: fx.tenants.acme, credentialId: created.id, purpose: "test-open" }, async (s) => s === second));
    assert.equal(opened, true);
    // A malformed replacement is refused without touching the row.
    await assert.rejects(asUser("acmeAdmin", (tx) => replaceSecret(tx, { tenantId: fx.tenants.acme, credentialId: created.id, secret: "not-a-guid" })), CredentialError);
    assert.ok((await ownerRow(fx.tenants.acme, created.id)).sealed.equals(after.sealed));
  });

  test("a DEK rotation racing a write: the trigger refuses (40001) and the write retries under the new key", async () => {
    const tenant = fx.tenants.globex;
    const rotator = new (await import("pg")).default.Client({ connectionString: db.url });
    await rotator.connect();
    try {
      await rotator.query("begin");
      const { rows } = await rotator.query<{ v: number }>("select keyring.create_tenant_key($1) as v", [tenant]);
      // The writer fetches the still-active v1, seals, and blocks on the key row until the rotation commits.
      const writing = asUser("globexAdmin", (tx) =>
        createCredential(tx, { tenantId: tenant, connector: "generic_api_key", name: "Raced", config: VALID.generic_api_key.config, secret: alnum(30) }),
      );
      await new Promise((r) => setTimeout(r, 500));
      await rotator.query("commit");
      const created = await writing;
      assert.equal(created.keyVersion, rows[0].v);
      const opened = await asUser("globexAdmin", (tx) => useCredential(tx, { tenantId: tenant, credentialId: created.id, purpose: "test-open" }, async (s) => s.length));
      assert.equal(opened, 30);
    } finally {
      await rotator.end();
    }
  });

  test("delete: gone for everyone; deleting again is a clear refusal", async () => {
    const created = await asUser("acmeAdmin", (tx) =>
      createCredential(tx, { tenantId: fx.tenants.acme, connector: "generic_api_key", name: "To delete", config: VALID.generic_api_key.config, secret: alnum(20) }),
    );
    const deleted = await asUser("acmeAdmin", (tx) => deleteCredential(tx, { tenantId: fx.tenants.acme, credentialId: created.id }));
    assert.deepEqual(deleted, { id: created.id, name: "To delete", connector: "generic_api_key" });
    assert.equal(await ownerRow(fx.tenants.acme, created.id), undefined);
    await assert.rejects(asUser("acmeAdmin", (tx) => deleteCredential(tx, { tenantId: fx.tenants.acme, credentialId: created.id })), CredentialError);
  });
});

// ---------------------------------------------------------------------------
// Who may do what (RLS)
// ---------------------------------------------------------------------------
describe("isolation", () => {
  let target: { id: string };
  before(async () => {
    target = await asUser("acmeAdmin", (tx) =>
      createCredential(tx, { tenantId: fx.tenants.acme, connector: "microsoft_defender", name: "Defender", config: VALID.microsoft_defender.config, secret: msSecret() }),
    );
  });

  for (const user of ["acmeViewer", "acmeAnalyst"] as const) {
    test(`${user} lists credentials but cannot create, replace, delete or open one`, async () => {
      const seen = await asUser(user, (tx) => listCredentials(tx, fx.tenants.acme));
      assert.ok(seen.some((c) => c.id === target.id));
      const beforeRow = await ownerRow(fx.tenants.acme, target.id);
      await assert.rejects(
        asUser(user, (tx) => createCredential(tx, { tenantId: fx.tenants.acme, connector: "generic_api_key", name: `by ${user}`, config: VALID.generic_api_key.config, secret: alnum(20) })),
        (e: unknown) => e instanceof CredentialError && /can't manage credentials/.test(e.message),
      );
      await assert.rejects(asUser(user, (tx) => replaceSecret(tx, { tenantId: fx.tenants.acme, credentialId: target.id, secret: msSecret() })), CredentialError);
      await assert.rejects(asUser(user, (tx) => deleteCredential(tx, { tenantId: fx.tenants.acme, credentialId: target.id })), CredentialError);
      await assert.rejects(
        asUser(user, (tx) => useCredential(tx, { tenantId: fx.tenants.acme, credentialId: target.id, purpose: "steal" }, async (s) => s)),
        CredentialError,
      );
      const afterRow = await ownerRow(fx.tenants.acme, target.id);
      assert.ok(afterRow.sealed.equals(beforeRow.sealed));
      assert.deepEqual(afterRow.last_used_at, beforeRow.last_used_at);
    });
  }

  test("raw SQL as a viewer: the insert is refused by RLS (42501), update and delete touch nothing", async () => {
    await asUser("acmeViewer", async (tx) => {
      await tx.client.query("savepoint s");
      await assert.rejects(
        tx.client.query(
          `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
           values ($1, gen_random_uuid(), 'generic_api_key', 'raw', $2, 1, 'abcd')`,
          [fx.tenants.acme, randomBytes(64)],
        ),
        (e: { code?: string }) => e.code === "42501",
      );
      await tx.client.query("rollback to savepoint s");
      // A column admins may update (a credential's name never changes: migration 20261201030900), so RLS is what refuses it.
      assert.equal((await tx.client.query("update public.credentials set expires_at = now() where id = $1", [target.id])).rowCount, 0);
      assert.equal((await tx.client.query("delete from public.credentials where id = $1", [target.id])).rowCount, 0);
    });
  });

  test("a sibling tenant's admin sees nothing of acme's credentials and cannot touch them", async () => {
    assert.deepEqual(await asUser("globexAdmin", (tx) => listCredentials(tx, fx.tenants.acme)), []);
    assert.deepEqual(await asUser("otherCoAdmin", (tx) => listCredentials(tx, [fx.tenants.acme, fx.tenants["acme-eu"]])), []);
    await assert.rejects(asUser("globexAdmin", (tx) => replaceSecret(tx, { tenantId: fx.tenants.acme, credentialId: target.id, secret: msSecret() })), CredentialError);
    await assert.rejects(asUser("globexAdmin", (tx) => deleteCredential(tx, { tenantId: fx.tenants.acme, credentialId: target.id })), CredentialError);
    await assert.rejects(
      asUser("globexAdmin", (tx) => useCredential(tx, { tenantId: fx.tenants.acme, credentialId: target.id, purpose: "steal" }, async (s) => s)),
      CredentialError,
    );
    await assert.rejects(
      asUser("globexAdmin", (tx) => createCredential(tx, { tenantId: fx.tenants.acme, connector: "generic_api_key", name: "planted", config: VALID.generic_api_key.config, secret: alnum(20) })),
      CredentialError,
    );
    // A site admin does not see the parent customer's credentials.
    assert.deepEqual(await asUser("acmeEuAdmin", (tx) => listCredentials(tx, fx.tenants.acme)), []);
  });
});

// ---------------------------------------------------------------------------
// The use path
// ---------------------------------------------------------------------------
async function auditRows(credentialId: string) {
  return owner(async (c) =>
    (
      await c.query<{ action: string; outcome: string; details: Record<string, unknown>; actor_id: string; t: string }>(
        "select action, outcome, details, actor_id, row_to_json(a)::text as t from public.audit_log a where target_id = $1 order by seq",
        [credentialId],
      )
    ).rows,
  );
}

describe("use path", () => {
  test("opens the secret for an admin, audits credential.opened (purpose, no secret) and sets last_used_at", async () => {
    const secret = csSecret();
    const created = await asUser("acmeAdmin", (tx) =>
      createCredential(tx, { tenantId: fx.tenants.acme, connector: "crowdstrike_falcon", name: "Falcon use", config: VALID.crowdstrike_falcon.config, secret }),
    );
    const got = await asUser("acmeAdmin", (tx) =>
      useCredential(tx, { tenantId: fx.tenants.acme, credentialId: created.id, purpose: "connector-sync" }, async (s, config, meta) => ({ same: s === secret, config, meta })),
    );
    assert.equal(got.same, true);
    assert.equal(got.config.clientId, VALID.crowdstrike_falcon.config.clientId);
    assert.equal(got.meta.connector, "crowdstrike_falcon");
    const audit = await auditRows(created.id);
    assert.equal(audit.length, 1);
    assert.equal(audit[0].action, "credential.opened");
    assert.equal(audit[0].outcome, "success");
    assert.equal(audit[0].actor_id, fx.users.acmeAdmin);
    assert.equal(audit[0].details.purpose, "connector-sync");
    assert.ok(!audit[0].t.includes(secret));
    assert.ok((await ownerRow(fx.tenants.acme, created.id)).last_used_at);
  });

  test("whatever fn throws reaches the caller without the secret", async () => {
    const secret = alnum(32);
    const created = await asUser("acmeAdmin", (tx) =>
      createCredential(tx, { tenantId: fx.tenants.acme, connector: "generic_api_key", name: "Throws", config: VALID.generic_api_key.config, secret }),
    );
    await assert.rejects(
      asUser("acmeAdmin", (tx) =>
        useCredential(tx, { tenantId: fx.tenants.acme, credentialId: created.id, purpose: "connection-test" }, async (s) => {
          throw new Error(`upstream said: bad key ${s} (${Buffer.from(s).toString("base64")})`);
        }),
      ),
      (e: Error) => !e.message.includes(secret) && !String(e.stack).includes(secret) && !e.message.includes(Buffer.from(secret).toString("base64")),
    );
  });

  test("a ciphertext moved to another row fails its integrity check: audited as failure, clear message", async () => {
    const [a, b] = await asUser("acmeAdmin", async (tx) => [
      await createCredential(tx, { tenantId: fx.tenants.acme, connector: "generic_api_key", name: "Swap A", config: VALID.generic_api_key.config, secret: alnum(20) }),
      await createCredential(tx, { tenantId: fx.tenants.acme, connector: "generic_api_key", name: "Swap B", config: VALID.generic_api_key.config, secret: alnum(20) }),
    ]);
    await owner((c) =>
      c.query("update public.credentials set sealed = (select sealed from public.credentials where id = $1) where id = $2", [a.id, b.id]),
    );
    await assert.rejects(
      asUser("acmeAdmin", (tx) => useCredential(tx, { tenantId: fx.tenants.acme, credentialId: b.id, purpose: "connector-sync" }, async (s) => s)),
      (e: unknown) => e instanceof CredentialUnusableError && /failed its integrity check/.test(e.message) && e.reason === "integrity",
    );
    // testConnection reports it as a result, so the failure's audit row commits.
    const result = await asUser("acmeAdmin", (tx) => testConnection(tx, { tenantId: fx.tenants.acme, credentialId: b.id }));
    assert.equal(result.ok, false);
    assert.match(result.message, /failed its integrity check/);
    const audit = await auditRows(b.id);
    assert.deepEqual(
      audit.map((r) => [r.action, r.outcome, r.details.reason]),
      [["credential.opened", "failure", "integrity"]],
    );
  });

  test("a ciphertext copied to another tenant does not open there", async () => {
    const secret = alnum(20);
    const [source, dest] = await Promise.all([
      asUser("acmeAdmin", (tx) => createCredential(tx, { tenantId: fx.tenants.acme, connector: "generic_api_key", name: "Cross source", config: VALID.generic_api_key.config, secret })),
      asUser("globexAdmin", (tx) => createCredential(tx, { tenantId: fx.tenants.globex, connector: "generic_api_key", name: "Cross dest", config: VALID.generic_api_key.config, secret: alnum(20) })),
    ]);
    await owner((c) => c.query("update public.credentials set sealed = (select sealed from public.credentials where id = $1) where id = $2", [source.id, dest.id]));
    clearKeyCache();
    await assert.rejects(
      asUser("globexAdmin", (tx) => useCredential(tx, { tenantId: fx.tenants.globex, credentialId: dest.id, purpose: "connector-sync" }, async (s) => s)),
      CredentialUnusableError,
    );
  });
});

// ---------------------------------------------------------------------------
// Test connection against a local stub
// ---------------------------------------------------------------------------
describe("test connection", () => {
  const GOOD: Partial<Record<ConnectorKind, string>> = {};
  let server: http.Server;
  let requests: { url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const saved = process.env.CONNECTOR_TEST_ENDPOINT;

  before(async () => {
    GOOD.crowdstrike_falcon = csSecret();
    GOOD.sentinelone = s1Token();
    GOOD.microsoft_defender = msSecret();
    GOOD.splunk_hec = guid();
    GOOD.generic_api_key = alnum(24);
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        requests.push({ url: req.url ?? "", headers: req.headers, body });
        const send = (status: number, json: unknown) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(json));
        };
        const url = req.url ?? "";
        if (url.startsWith("/crowdstrike_falcon/hang")) return; // never answers
        if (url === "/crowdstrike_falcon/oauth2/token" && req.method === "POST") {
          const secret = new URLSearchParams(body).get("client_secret");
          // A careless API that echoes the secret back in its error.
          return secret === GOOD.crowdstrike_falcon ? send(201, { access_token: "x", expires_in: 1799 }) : send(401, { errors: [{ message: `invalid client_secret ${secret}` }] });
        }
        if (url === "/sentinelone/web/api/v2.1/system/info") {
          return req.headers.authorization === `ApiToken ${GOOD.sentinelone}` ? send(200, { data: {} }) : send(401, { errors: [{ detail: `bad ${req.headers.authorization}` }] });
        }
        if (/^\/microsoft_defender\/[0-9a-f-]{36}\/oauth2\/v2\.0\/token$/.test(url)) {
          const form = new URLSearchParams(body);
          if (form.get("scope") !== "https://api.securitycenter.microsoft.com/.default" || form.get("grant_type") !== "client_credentials") return send(400, { error: "invalid_request" });
          return form.get("client_secret") === GOOD.microsoft_defender
            ? send(200, { access_token: "x" })
            : send(401, { error: "invalid_client", error_description: `AADSTS7000215: Invalid client secret provided: ${form.get("client_secret")}`, error_codes: [7000215] });
        }
        if (url === "/splunk_hec/services/collector/event") {
          if (req.headers.authorization !== `Splunk ${GOOD.splunk_hec}`) return send(403, { text: `Invalid token ${req.headers.authorization}`, code: 4 });
          return JSON.parse(body).index === "forbidden" ? send(400, { text: "Incorrect index", code: 7 }) : send(200, { text: "Success", code: 0 });
        }
        if (url === "/generic_api_key/v1/me") {
          return req.headers["x-api-key"] === `Key ${GOOD.generic_api_key}` ? send(200, { me: "ok" }) : send(403, { message: `forbidden: ${req.headers["x-api-key"]}` });
        }
        send(404, { message: "no such stub" });
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    process.env.CONNECTOR_TEST_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    process.env.CONNECTOR_TEST_ENDPOINT = saved;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const CONFIG = {
    ...(Object.fromEntries(Object.entries(VALID).map(([k, v]) => [k, v.config])) as Record<ConnectorKind, Record<string, string>>),
    generic_api_key: { baseUrl: "https://api.example.com/v1", testPath: "/me", headerName: "X-Api-Key", valuePrefix: "Key " },
  };
  const WRONG: Record<ConnectorKind, () => string> = {
    crowdstrike_falcon: csSecret,
    sentinelone: s1Token,
    microsoft_defender: msSecret,
    splunk_hec: guid,
    generic_api_key: () => alnum(24),
  };
  const REFUSAL: Record<ConnectorKind, RegExp> = {
    crowdstrike_falcon: /^CrowdStrike refused the client secret \(401\)\.$/,
    sentinelone: /^SentinelOne refused the API token \(401\)\.$/,
    microsoft_defender: /^Microsoft refused the client secret \(401\): the client secret is not valid for this application\.$/,
    splunk_hec: /^Splunk refused the HEC token \(403\): the token is not valid\.$/,
    generic_api_key: /^api\.example\.com refused the API key \(403\)\.$/,
  };

  for (const kind of Object.keys(VALID) as ConnectorKind[]) {
    test(`${kind}: the right secret connects; a wrong one fails with a message that holds no secret`, async () => {
      const [good, bad] = await asUser("acmeAdmin", async (tx) => [
        await createCredential(tx, { tenantId: fx.tenants.acme, connector: kind, name: `${kind} good`, config: CONFIG[kind], secret: GOOD[kind]! }),
        await createCredential(tx, { tenantId: fx.tenants.acme, connector: kind, name: `${kind} bad`, config: CONFIG[kind], secret: WRONG[kind]() }),
      ]);
      requests = [];
      const ok = await asUser("acmeAdmin", (tx) => testConnection(tx, { tenantId: fx.tenants.acme, credentialId: good.id }));
      assert.equal(ok.ok, true, ok.message);
      assert.match(ok.message, /^Connected: /);
      assert.ok(!ok.message.includes(GOOD[kind]!));
      assert.equal(requests.length, 1);

      // The wrong secret was generated inline; read it back through the use path.
      const badSecret = await asUser("acmeAdmin", (tx) => useCredential(tx, { tenantId: fx.tenants.acme, credentialId: bad.id, purpose: "test-open" }, async (s) => s));
      const failed = await asUser("acmeAdmin", (tx) => testConnection(tx, { tenantId: fx.tenants.acme, credentialId: bad.id }));
      assert.equal(failed.ok, false);
      assert.match(failed.message, REFUSAL[kind]);
      for (const form of [badSecret, badSecret.slice(0, 12), badSecret.slice(-12), Buffer.from(badSecret).toString("base64")]) {
        assert.ok(!failed.message.includes(form), `the failure message leaks the secret: ${failed.message}`);
      }
      // The stub did echo it: the message is clean because of the portal, not the stub.
      assert.ok(requests.length >= 2);

      const audit = await auditRows(good.id);
      assert.deepEqual(
        audit.map((r) => [r.action, r.outcome, r.details.purpose]),
        [["credential.opened", "success", "connection-test"]],
      );
    });
  }

  test("splunk: a token that may not write to the index gets that reason", async () => {
    const created = await asUser("acmeAdmin", (tx) =>
      createCredential(tx, { tenantId: fx.tenants.acme, connector: "splunk_hec", name: "Splunk index", config: { hecUrl: "https://splunk.example.com:8088", index: "forbidden" }, secret: GOOD.splunk_hec! }),
    );
    const result = await asUser("acmeAdmin", (tx) => testConnection(tx, { tenantId: fx.tenants.acme, credentialId: created.id }));
    assert.equal(result.ok, false);
    assert.equal(result.message, "Splunk rejected the request (400): the token may not write to that index.");
  });

  test("unreachable and silent services: clear messages naming the real host", async () => {
    const created = await asUser("acmeAdmin", (tx) =>
      createCredential(tx, { tenantId: fx.tenants.acme, connector: "crowdstrike_falcon", name: "Falcon unreachable", config: { region: "us-2", clientId: hex(32) }, secret: csSecret() }),
    );
    // A port nobody listens on.
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    process.env.CONNECTOR_TEST_ENDPOINT = `http://127.0.0.1:${closedPort}`;
    try {
      const refused = await asUser("acmeAdmin", (tx) => testConnection(tx, { tenantId: fx.tenants.acme, credentialId: created.id }));
      assert.deepEqual(refused, { ok: false, message: "Could not reach api.us-2.crowdstrike.com: connection refused." });
    } finally {
      process.env.CONNECTOR_TEST_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
    // A stub that accepts and never answers: the 5 s timeout.
    process.env.CONNECTOR_TEST_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}/crowdstrike_falcon/hang`;
    try {
      const started = Date.now();
      const silent = await asUser("acmeAdmin", (tx) => testConnection(tx, { tenantId: fx.tenants.acme, credentialId: created.id }));
      assert.deepEqual(silent, { ok: false, message: "Could not reach api.us-2.crowdstrike.com: timeout (no answer within 5 s)." });
      assert.ok(Date.now() - started < 8_000);
    } finally {
      process.env.CONNECTOR_TEST_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
  });

  test("a stored URL that no longer passes the SSRF rules is never requested", async () => {
    const created = await asUser("acmeAdmin", (tx) =>
      createCredential(tx, { tenantId: fx.tenants.acme, connector: "sentinelone", name: "S1 tampered", config: VALID.sentinelone.config, secret: s1Token() }),
    );
    await owner((c) => c.query(`update public.credentials set config = '{"consoleUrl":"https://169.254.169.254"}' where id = $1`, [created.id]));
    requests = [];
    const result = await asUser("acmeAdmin", (tx) => testConnection(tx, { tenantId: fx.tenants.acme, credentialId: created.id }));
    assert.equal(result.ok, false);
    assert.match(result.message, /no longer valid \(Management console URL\)/);
    assert.equal(requests.length, 0);
  });

  test("a viewer cannot test (cannot open the secret)", async () => {
    const [first] = await asUser("acmeViewer", (tx) => listCredentials(tx, fx.tenants.acme));
    await assert.rejects(asUser("acmeViewer", (tx) => testConnection(tx, { tenantId: fx.tenants.acme, credentialId: first.id })), CredentialError);
  });
});
