// The key hierarchy and sealing, attacked: ciphertexts swapped between rows and
// tenants, relabelled key versions, tampered bytes and wrapped keys, and every
// role that must not reach a key trying to.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type pg from "pg";
import { migrate, rollback } from "@/lib/db/migrate";
import { inTransaction } from "@/lib/db/with-tenant";
import { CredentialIntegrityError, TenantKeyUnavailableError } from "@/lib/vault/errors";
import { activeKeyFor, clearKeyCache, dekFor, kekVersions, rotateKek } from "@/lib/vault/keys";
import { openSecret, sealSecret } from "@/lib/vault/seal";
import { insertFixtures, type Fixtures, type TenantSlug } from "./helpers/fixtures";
import { as, assertRefused, attempt } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

const owner = <T>(fn: (c: pg.Client) => Promise<T>) => withClient(db.url, fn);

interface Row {
  tenant_id: string;
  id: string;
  key_version: number;
  sealed: Buffer;
}

/** Seals `secret` for a new credential of `slug` and inserts it as the owner. */
async function storeCredential(slug: TenantSlug, secret: string, name = `cred-${randomUUID().slice(0, 8)}`): Promise<Row> {
  const tenantId = fx.tenants[slug];
  const id = randomUUID();
  const key = await activeKeyFor(tenantId);
  const sealed = sealSecret(key.dek, { tenantId, credentialId: id, keyVersion: key.version }, secret);
  await owner((c) =>
    c.query(
      `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
       values ($1, $2, 'generic_api_key', $3, $4, $5, right($6, 4))`,
      [tenantId, id, name, sealed, key.version, secret.slice(-4)],
    ),
  );
  return { tenant_id: tenantId, id, key_version: key.version, sealed };
}

async function readRow(tenantId: string, id: string): Promise<Row> {
  return owner(async (c) => {
    const { rows } = await c.query<Row>(
      "select tenant_id, id, key_version, sealed from public.credentials where tenant_id = $1 and id = $2",
      [tenantId, id],
    );
    assert.equal(rows.length, 1);
    return rows[0];
  });
}

/** Opens a row the way the application does: the key its row names, the AAD of its row. */
async function openRow(row: Row): Promise<string> {
  const dek = await dekFor(row.tenant_id, row.key_version);
  return openSecret(dek, { tenantId: row.tenant_id, credentialId: row.id, keyVersion: row.key_version }, row.sealed);
}

describe("tenant keys", () => {
  test("every tenant got an active DEK v1 when it was created, wrapped by its MSSP's KEK", async () => {
    const keys = await owner((c) =>
      c.query<{ slug: string; version: number; status: string; kek_root: string; wrapped_len: number }>(
        `select t.slug, k.version, k.status, r.slug as kek_root, length(k.wrapped_dek) as wrapped_len
           from public.tenants t join keyring.tenant_keys k on k.tenant_id = t.id
           join public.tenants r on r.id = k.kek_root_id order by t.slug`,
      ),
    );
    assert.equal(keys.rows.length, Object.keys(fx.tenants).length);
    for (const k of keys.rows) {
      assert.equal(k.version, 1);
      assert.equal(k.status, "active");
      assert.equal(k.wrapped_len, 81);
      assert.equal(k.kek_root, k.slug === "other-co" || k.slug === "mssp-b" ? "mssp-b" : "mssp-a");
    }
  });

  test("each MSSP's KEK is a Vault secret; the stored form is not the key", async () => {
    const rows = await owner((c) =>
      c.query<{ name: string; secret: string; decrypted_secret: string }>(
        `select s.name, s.secret, d.decrypted_secret from keyring.keks k
           join vault.secrets s on s.id = k.vault_secret_id join vault.decrypted_secrets d on d.id = s.id`,
      ),
    );
    assert.equal(rows.rows.length, 2);
    for (const r of rows.rows) {
      assert.match(r.name, /^mssp-portal\/kek\/[0-9a-f-]{36}\/v1$/);
      assert.match(r.decrypted_secret, /^[0-9a-f]{64}$/);
      assert.ok(!r.secret.includes(r.decrypted_secret));
    }
  });

  test("the migration gives existing tenants their keys (roll back the key hierarchy, migrate again)", async () => {
    const other = await createTestDatabase({ setEnv: false });
    try {
      await rollback(other.url, { toVersion: "20261129000000" });
      await insertFixtures(other.url);
      await migrate(other.url);
      const { rows } = await withClient(other.url, (c) =>
        c.query<{ missing: string }>(
          `select count(*) filter (where not exists (select 1 from keyring.tenant_keys k
                                     where k.tenant_id = t.id and k.status = 'active')) as missing,
                  count(*) as total from public.tenants t`,
        ),
      );
      assert.equal(Number(rows[0].missing), 0);
    } finally {
      await other.drop();
    }
  });

  test("two tenants never share a DEK", async () => {
    const a = await activeKeyFor(fx.tenants.acme);
    const g = await activeKeyFor(fx.tenants.globex);
    assert.notDeepEqual(a.dek, g.dek);
  });
});

describe("sealing", () => {
  test("a sealed secret opens, and its bytes do not contain the plaintext", async () => {
    const secret = `plant-${randomUUID()}`;
    const row = await storeCredential("acme", secret);
    assert.ok(!row.sealed.includes(Buffer.from(secret)));
    assert.equal(await openRow(await readRow(row.tenant_id, row.id)), secret);
  });

  test("ciphertexts swapped between two rows of one tenant fail with an integrity error", async () => {
    const a = await storeCredential("acme", "secret-of-row-a-0001");
    const b = await storeCredential("acme", "secret-of-row-b-0002");
    await owner(async (c) => {
      await c.query("update public.credentials set sealed = $3 where tenant_id = $1 and id = $2", [a.tenant_id, a.id, b.sealed]);
      await c.query("update public.credentials set sealed = $3 where tenant_id = $1 and id = $2", [b.tenant_id, b.id, a.sealed]);
    });
    for (const row of [a, b]) {
      await assert.rejects(openRow(await readRow(row.tenant_id, row.id)), (e: unknown) => {
        assert.ok(e instanceof CredentialIntegrityError);
        assert.match((e as Error).message, /failed its integrity check/);
        assert.ok(!(e as Error).message.includes("secret-of-row"));
        return true;
      });
    }
  });

  test("a ciphertext copied to another tenant's row fails, even with the id and version of its origin", async () => {
    const acme = await storeCredential("acme", "acme-secret-value-123");
    const globex = await storeCredential("globex", "globex-secret-value-456");
    await owner((c) =>
      c.query("update public.credentials set sealed = $3 where tenant_id = $1 and id = $2", [
        globex.tenant_id,
        globex.id,
        acme.sealed,
      ]),
    );
    await assert.rejects(openRow(await readRow(globex.tenant_id, globex.id)), CredentialIntegrityError);
    // Even an attacker who opens with the receiving tenant's key and the source row's id fails: the key differs.
    const globexKey = await dekFor(globex.tenant_id, globex.key_version);
    assert.throws(
      () => openSecret(globexKey, { tenantId: acme.tenant_id, credentialId: acme.id, keyVersion: acme.key_version }, acme.sealed),
      CredentialIntegrityError,
    );
  });

  test("a tampered byte anywhere fails", async () => {
    const row = await storeCredential("acme", "tamper-me-secret-789");
    for (const at of [0, 5, row.sealed.length - 20, row.sealed.length - 1]) {
      const bad = Buffer.from(row.sealed);
      bad[at] ^= 0x01;
      await assert.rejects(openRow({ ...row, sealed: bad }), CredentialIntegrityError);
    }
  });

  test("opening with the wrong key version fails (relabelled in both directions)", async () => {
    const old = await storeCredential("acme-eu", "sealed-under-v1-aaaa");
    await owner((c) => c.query("select keyring.create_tenant_key($1)", [fx.tenants["acme-eu"]]));
    const fresh = await storeCredential("acme-eu", "sealed-under-v2-bbbb");
    assert.equal(old.key_version, 1);
    assert.equal(fresh.key_version, 2);
    assert.equal(await openRow(old), "sealed-under-v1-aaaa", "the retiring key still opens what it sealed");
    // The v1 ciphertext relabelled v2 (the trigger allows it: v2 is active), and the reverse as the application would read it.
    await owner((c) => c.query("update public.credentials set key_version = 2 where id = $1", [old.id]));
    await assert.rejects(openRow(await readRow(old.tenant_id, old.id)), CredentialIntegrityError);
    await assert.rejects(openRow({ ...fresh, key_version: 1 }), CredentialIntegrityError);
    // A version that does not exist is not a key at all.
    await assert.rejects(openRow({ ...fresh, key_version: 99 }), TenantKeyUnavailableError);
  });

  test("a write may seal only under the active key", async () => {
    await owner(async (c) => {
      await c.query("begin");
      const o = await attempt(
        c,
        `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
         values ($1, gen_random_uuid(), 'generic_api_key', 'stale key', $2, 1, 'abcd')`,
        [fx.tenants["acme-eu"], Buffer.alloc(40, 1)],
      );
      assertRefused(o, "40001");
      await c.query("rollback");
    });
  });

  test("a wrapped DEK copied to another tenant does not unwrap (and a KEK rotation then refuses to run)", async () => {
    const original = await owner((c) =>
      c.query<{ wrapped_dek: Buffer }>("select wrapped_dek from keyring.tenant_keys where tenant_id = $1 and version = 1", [
        fx.tenants["acme-us"],
      ]),
    );
    await owner((c) =>
      c.query(
        `update keyring.tenant_keys set wrapped_dek = (select wrapped_dek from keyring.tenant_keys
            where tenant_id = $2 and version = 1) where tenant_id = $1 and version = 1`,
        [fx.tenants["acme-us"], fx.tenants.globex],
      ),
    );
    clearKeyCache();
    await assert.rejects(dekFor(fx.tenants["acme-us"], 1), (e: unknown) => {
      assert.ok(e instanceof TenantKeyUnavailableError);
      assert.match((e as Error).message, /integrity/);
      return true;
    });
    // All or nothing: a rotation that meets a key it cannot unwrap changes nothing.
    await assert.rejects(rotateKek(fx.tenants["mssp-a"]), (e: Error) => (e.cause as { code?: string } | undefined)?.code === "XX001" && /integrity check/.test(String(e.cause)));
    const keks = await kekVersions(fx.tenants["mssp-a"]);
    assert.deepEqual(keks.map((k) => [k.version, k.status]), [[1, "active"]]);
    await owner((c) =>
      c.query("update keyring.tenant_keys set wrapped_dek = $2 where tenant_id = $1 and version = 1", [
        fx.tenants["acme-us"],
        original.rows[0].wrapped_dek,
      ]),
    );
    clearKeyCache();
    assert.equal((await dekFor(fx.tenants["acme-us"], 1)).length, 32);
  });
});

describe("who can reach keys and sealed credentials", () => {
  test("authenticated users (even the MSSP admin) and anon cannot touch keyring or vault", async () => {
    for (const role of ["authenticated", "anon"] as const) {
      await inTransaction(async (c) => {
        await c.query(`set local role ${role}`);
        for (const sql of [
          "select * from keyring.tenant_keys",
          "select * from keyring.keks",
          `select keyring.unwrap_dek('${fx.tenants.acme}', 1)`,
          `select keyring.destroy_tenant_keys('${fx.tenants.acme}')`,
          `select * from keyring.rotate_kek('${fx.tenants["mssp-a"]}')`,
          "select * from vault.decrypted_secrets",
          "select * from vault.secrets",
          "select vault.create_secret('x')",
        ]) {
          assertRefused(await attempt(c, sql), "42501");
        }
      });
    }
  });

  test("RLS: members of the tenant or an ancestor see its credentials; siblings and the other MSSP see none", async () => {
    const row = await storeCredential("acme", "rls-secret-value-0001", "rls probe");
    const seen = async (user: Parameters<typeof as>[1]) =>
      as(fx, user, async (tx) => {
        const r = await tx.client.query("select id from public.credentials where id = $1", [row.id]);
        return r.rowCount;
      });
    assert.equal(await seen("acmeViewer"), 1);
    assert.equal(await seen("msspAdmin"), 1);
    assert.equal(await seen("acmeEuAdmin"), 0, "a site admin does not see the parent's");
    assert.equal(await seen("globexAdmin"), 0, "a sibling customer");
    assert.equal(await seen("otherCoAdmin"), 0, "another MSSP's customer");
    assert.equal(await seen("msspBAdmin"), 0, "another MSSP");
  });

  test("RLS: only admins write; a sibling cannot plant a credential in another tenant", async () => {
    const key = await activeKeyFor(fx.tenants.acme);
    const insert = (c: pg.ClientBase) =>
      attempt(
        c,
        `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
         values ($1, gen_random_uuid(), 'generic_api_key', $2, $3, $4, 'abcd')`,
        [fx.tenants.acme, `w-${randomUUID().slice(0, 6)}`, Buffer.alloc(40, 7), key.version],
      );
    await as(fx, "acmeViewer", async (tx) => assertRefused(await insert(tx.client)));
    await as(fx, "acmeAnalyst", async (tx) => assertRefused(await insert(tx.client)));
    await as(fx, "globexAdmin", async (tx) => assertRefused(await insert(tx.client)));
    await as(fx, "msspBAdmin", async (tx) => assertRefused(await insert(tx.client)));
    await as(fx, "acmeAdmin", async (tx) => assert.ok((await insert(tx.client)).ok));
    // Nor move one of acme's into globex.
    const row = await storeCredential("acme", "do-not-move-me-0001");
    await as(fx, "acmeAdmin", async (tx) => {
      const o = await attempt(tx.client, "update public.credentials set tenant_id = $2 where id = $1", [row.id, fx.tenants.globex]);
      assertRefused(o);
    });
  });
});

describe("KEK rotation", () => {
  test("re-wraps every DEK of the MSSP, leaves the other MSSP alone, and overwrites the old KEK in Vault", async () => {
    const probe = await storeCredential("globex", "kek-rotation-probe-01");
    const before = await owner((c) =>
      c.query<{ tenant_id: string; wrapped_dek: Buffer; kek_root_id: string }>(
        "select tenant_id, wrapped_dek, kek_root_id from keyring.tenant_keys where wrapped_dek is not null",
      ),
    );
    const oldSecret = await owner((c) =>
      c.query<{ id: string; decrypted_secret: string }>(
        `select d.id, d.decrypted_secret from keyring.keks k join vault.decrypted_secrets d on d.id = k.vault_secret_id
          where k.root_tenant_id = $1 and k.status = 'active'`,
        [fx.tenants["mssp-a"]],
      ),
    );
    const result = await rotateKek(fx.tenants["mssp-a"]);
    assert.equal(result.newVersion, 2);
    const underA = before.rows.filter((r) => r.kek_root_id === fx.tenants["mssp-a"]);
    assert.equal(result.rewrapped, underA.length);

    const afterRows = await owner((c) =>
      c.query<{ tenant_id: string; wrapped_dek: Buffer; kek_version: number }>(
        "select tenant_id, wrapped_dek, kek_version from keyring.tenant_keys where wrapped_dek is not null",
      ),
    );
    for (const r of afterRows.rows) {
      const was = before.rows.find((b) => b.tenant_id === r.tenant_id && b.wrapped_dek);
      if (was?.kek_root_id === fx.tenants["mssp-a"]) assert.equal(r.kek_version, 2);
    }
    const untouched = before.rows.filter((r) => r.kek_root_id === fx.tenants["mssp-b"]);
    for (const u of untouched) {
      const now = afterRows.rows.find((r) => r.tenant_id === u.tenant_id)!;
      assert.deepEqual(now.wrapped_dek, u.wrapped_dek);
    }
    const kek = await kekVersions(fx.tenants["mssp-a"]);
    assert.deepEqual(kek.map((k) => [k.version, k.status]), [[2, "active"], [1, "retired"]]);
    const overwritten = await owner((c) =>
      c.query<{ decrypted_secret: string }>("select decrypted_secret from vault.decrypted_secrets where id = $1", [
        oldSecret.rows[0].id,
      ]),
    );
    assert.notEqual(overwritten.rows[0].decrypted_secret, oldSecret.rows[0].decrypted_secret);

    clearKeyCache();
    assert.equal(await openRow(probe), "kek-rotation-probe-01", "same DEK, new wrapping");
  });
});
