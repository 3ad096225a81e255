// Keys follow a tenant when it moves between MSSPs (issue 8, point 5;
// supabase/migrations/20261130000200_keyring_follows_moves.sql), on the real
// Postgres:
//   - the reviewer's sequence: credentials under MSSP A, the customer and its
//     sites moved to MSSP B by SQL, A's KEK rotated, B's KEK rotated, the
//     customer's DEK rotated. Every credential opens at every step, status
//     (the lib readers and `npm run keys -- status`) says what is true at every
//     step, and no other tenant's key or credential changes except by its own
//     MSSP's rotation;
//   - a move within one MSSP, and an MSSP renamed, leave the keyring untouched;
//   - keys a move left under the old MSSP's KEK before the migration, and a KEK
//     the old rotation retired while it still wrapped them, are reported, open
//     again, and are repaired by the next KEK rotation of either MSSP;
//   - a move racing a KEK rotation of either MSSP waits for it;
//   - a KEK version that still wraps a key cannot be retired.
// Where a tenant may move is the tree rules' business (tests/tenant-tree.test.ts).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { listMigrations, rollback } from "@/lib/db/migrate";
import { TenantKeyUnavailableError } from "@/lib/vault/errors";
import { activeKeyFor, clearKeyCache, dekFor, kekVersions, rotateKek } from "@/lib/vault/keys";
import { rotateTenantDek } from "@/lib/vault/rotation";
import { keyInventory, keyringProblems, keyStatusOf } from "@/lib/vault/rotation-status";
import { openSecret, sealSecret } from "@/lib/vault/seal";
import { insertFixtures, subtree, TENANT_SLUGS, type Fixtures, type TenantSlug } from "./helpers/fixtures";
import { createTestDatabase, type TestDatabase, migrateInCluster } from "./helpers/test-database";

const MIGRATION = "20261130000200";

let db: TestDatabase;
let owner: pg.Client;
before(async () => {
  db = await createTestDatabase();
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
});
after(async () => {
  await owner?.end();
  await db?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One copy of the fixture tree (slugs prefixed) with credentials in every tenant. */
interface World {
  fx: Fixtures;
  prefix: string;
  /** Every seeded credential: its tenant and the secret it must open to. */
  secrets: Map<string, { tenantId: string; secret: string }>;
}

const SEEDED: Record<TenantSlug, number> = { "mssp-a": 2, acme: 5, "acme-eu": 3, "acme-us": 2, globex: 3, "mssp-b": 2, "other-co": 3 };

async function world(prefix: string): Promise<World> {
  const fx = await insertFixtures(db.url, { prefix });
  const secrets: World["secrets"] = new Map();
  for (const slug of TENANT_SLUGS) {
    const tenantId = fx.tenants[slug];
    const key = await activeKeyFor(tenantId);
    for (let i = 0; i < SEEDED[slug]; i++) {
      const id = randomUUID();
      const secret = `sk_${prefix}${slug}_${i}_${randomBytes(10).toString("hex")}`;
      const sealed = sealSecret(key.dek, { tenantId, credentialId: id, keyVersion: key.version }, secret);
      await owner.query(
        `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
         values ($1, $2, 'generic_api_key', $3, $4, $5, $6)`,
        [tenantId, id, `${slug} connector ${i}`, sealed, key.version, secret.slice(-4)],
      );
      secrets.set(id, { tenantId, secret });
    }
  }
  return { fx, prefix, secrets };
}

const ids = (w: World) => Object.values(w.fx.tenants);

/** Opens every credential of the world as the application does (cold key cache). */
async function assertAllOpen(w: World, when: string) {
  clearKeyCache();
  const { rows } = await owner.query<{ tenant_id: string; id: string; key_version: number; sealed: Buffer }>(
    "select tenant_id, id, key_version, sealed from public.credentials where tenant_id = any($1)",
    [ids(w)],
  );
  assert.equal(rows.length, w.secrets.size, `${when}: credential count`);
  for (const r of rows) {
    let opened: string;
    try {
      const dek = await dekFor(r.tenant_id, r.key_version);
      opened = openSecret(dek, { tenantId: r.tenant_id, credentialId: r.id, keyVersion: r.key_version }, r.sealed);
    } catch (error) {
      assert.fail(`${when}: a credential of ${w.fx.slugOf(r.tenant_id)} does not open: ${(error as Error).message}`);
    }
    assert.equal(opened, w.secrets.get(r.id)?.secret, `${when}: credential of ${w.fx.slugOf(r.tenant_id)}`);
  }
}

interface KeyRow {
  status: string;
  wrapped: string | null;
  /** "<mssp slug> v<kek version>" */
  kek: string;
}

/** keyring.tenant_keys of the world, by "<slug> v<version>". */
async function keyRows(w: World): Promise<Map<string, KeyRow>> {
  const { rows } = await owner.query<{
    tenant_id: string;
    version: number;
    status: string;
    wrapped_dek: Buffer | null;
    kek_root_id: string;
    kek_version: number;
  }>(
    `select tenant_id, version, status, wrapped_dek, kek_root_id, kek_version from keyring.tenant_keys
      where tenant_id = any($1) order by tenant_id, version`,
    [ids(w)],
  );
  return new Map(
    rows.map((r) => [
      `${w.fx.slugOf(r.tenant_id)} v${r.version}`,
      { status: r.status, wrapped: r.wrapped_dek?.toString("hex") ?? null, kek: `${w.fx.slugOf(r.kek_root_id)} v${r.kek_version}` },
    ]),
  );
}

/** Which KEK wraps each key that still opens something. */
function wrappedBy(rows: Map<string, KeyRow>): Record<string, string> {
  return Object.fromEntries([...rows].filter(([, r]) => r.wrapped !== null).map(([k, r]) => [k, r.kek]).sort());
}

/** The keys whose row changed between two snapshots, sorted. */
function changed(before: Map<string, KeyRow>, after: Map<string, KeyRow>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => JSON.stringify(before.get(k)) !== JSON.stringify(after.get(k))).sort();
}

const live = (slugs: readonly TenantSlug[], version = 1) => slugs.map((s) => `${s} v${version}`).sort();

/** The plaintext DEK of every live key version (tests only): a move or a KEK rotation never changes one. */
async function deks(w: World): Promise<Record<string, string>> {
  clearKeyCache();
  const out: Record<string, string> = {};
  for (const [key, row] of await keyRows(w)) {
    if (row.wrapped === null) continue;
    const [slug, v] = key.split(" v");
    out[key] = (await dekFor(w.fx.tenants[slug as TenantSlug], Number(v))).toString("hex");
  }
  return out;
}

/** Sealed bytes of every credential, by id. */
async function credentialRows(w: World): Promise<Map<string, string>> {
  const { rows } = await owner.query<{ id: string; key_version: number; sealed: Buffer }>(
    "select id, key_version, sealed from public.credentials where tenant_id = any($1)",
    [ids(w)],
  );
  return new Map(rows.map((r) => [r.id, `${r.key_version}:${r.sealed.toString("hex")}`]));
}

/** An MSSP's KEK versions as status reports them, newest first. */
async function kekStatus(w: World, slug: TenantSlug): Promise<string[]> {
  return (await kekVersions(w.fx.tenants[slug])).map(
    (k) =>
      `v${k.version} ${k.status} wraps ${k.wraps}` +
      (k.foreignWraps ? ` (${k.foreignWraps} foreign)` : "") +
      (k.status === "retired" ? (k.materialOverwrittenAt ? " overwritten" : " NOT overwritten") : ""),
  );
}

/** The Vault secret (hex) of each KEK version of an MSSP, by version. */
async function kekSecrets(w: World, slug: TenantSlug): Promise<Map<number, string>> {
  const { rows } = await owner.query<{ version: number; secret: string }>(
    `select k.version, ds.decrypted_secret as secret from keyring.keks k
       join vault.decrypted_secrets ds on ds.id = k.vault_secret_id where k.root_tenant_id = $1`,
    [w.fx.tenants[slug]],
  );
  return new Map(rows.map((r) => [r.version, r.secret]));
}

/** Key versions status flags as wrapped by another MSSP's KEK than their tenant's own. */
async function foreignKeys(w: World): Promise<string[]> {
  const status = await keyStatusOf(ids(w));
  return [...status]
    .flatMap(([id, versions]) => versions.filter((v) => v.foreignRoot).map((v) => `${w.fx.slugOf(id)} v${v.version}`))
    .sort();
}

/** The problems status reports for the world's two MSSPs. */
async function problems(w: World): Promise<string[]> {
  const inventory = [
    ...(await keyInventory({ slug: `${w.prefix}mssp-a` })),
    ...(await keyInventory({ slug: `${w.prefix}mssp-b` })),
  ];
  return keyringProblems(inventory);
}

const execFileP = promisify(execFile);

/** `npm run keys -- status --tenant <slug>` against the test database, as the operator runs it. */
async function statusCommand(w: World, slug: TenantSlug): Promise<string> {
  const { stdout } = await execFileP(process.execPath, ["--import", "tsx", "scripts/keys.ts", "status", "--tenant", `${w.prefix}${slug}`], {
    env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: "silent" },
  });
  return stdout;
}

const moveTo = (w: World, slug: TenantSlug, parent: TenantSlug) =>
  owner.query("update public.tenants set parent_id = $2 where id = $1", [w.fx.tenants[slug], w.fx.tenants[parent]]);

async function pathOf(w: World, slug: TenantSlug): Promise<string> {
  return (await owner.query("select path::text as path from public.tenants where id = $1", [w.fx.tenants[slug]])).rows[0].path;
}

const label = (w: World, slug: string) => `${w.prefix}${slug}`.replaceAll("-", "_");

describe("a customer moved to another MSSP", () => {
  test("the reviewer's sequence: move, rotate A's KEK, rotate B's KEK, rotate the customer's DEK: everything opens, status is true, nothing else changes", async () => {
    const w = await world("mv1-");
    const A = w.fx.tenants["mssp-a"];
    const B = w.fx.tenants["mssp-b"];
    const moved = subtree("acme");
    const restOfA: TenantSlug[] = ["mssp-a", "globex"];
    const ofB: TenantSlug[] = ["mssp-b", "other-co"];
    const deksAtStart = await deks(w);
    const credentialsAtStart = await credentialRows(w);
    await assertAllOpen(w, "before the move");
    assert.deepEqual(await kekStatus(w, "mssp-a"), ["v1 active wraps 5"]);
    assert.deepEqual(await kekStatus(w, "mssp-b"), ["v1 active wraps 2"]);
    assert.deepEqual(await problems(w), []);

    // 1. The move, as the reviewer made it: plain SQL; the path triggers re-derive the subtree.
    const beforeMove = await keyRows(w);
    await moveTo(w, "acme", "mssp-b");
    assert.equal(await pathOf(w, "acme-eu"), `${label(w, "mssp-b")}.${label(w, "acme")}.${label(w, "acme-eu")}`);
    const afterMove = await keyRows(w);
    assert.deepEqual(changed(beforeMove, afterMove), live(moved), "the move re-wraps the moved subtree's keys, and only those");
    assert.deepEqual(wrappedBy(afterMove), {
      "acme v1": "mssp-b v1",
      "acme-eu v1": "mssp-b v1",
      "acme-us v1": "mssp-b v1",
      "globex v1": "mssp-a v1",
      "mssp-a v1": "mssp-a v1",
      "mssp-b v1": "mssp-b v1",
      "other-co v1": "mssp-b v1",
    });
    assert.deepEqual(await deks(w), deksAtStart, "same DEKs, new wrapping");
    await assertAllOpen(w, "after the move");
    assert.deepEqual(await kekStatus(w, "mssp-a"), ["v1 active wraps 2"]);
    assert.deepEqual(await kekStatus(w, "mssp-b"), ["v1 active wraps 5"]);
    assert.deepEqual(await foreignKeys(w), []);
    assert.deepEqual(await problems(w), []);

    // 2. A's KEK: re-wraps what A's KEK wraps (mssp-a, globex), retires and overwrites v1.
    const aSecrets = await kekSecrets(w, "mssp-a");
    assert.deepEqual(await rotateKek(A), { newVersion: 2, rewrapped: 2, repaired: 0 });
    const afterA = await keyRows(w);
    assert.deepEqual(changed(afterMove, afterA), live(restOfA), "A's rotation touches only what A's KEK wraps");
    assert.ok([...afterA].every(([, r]) => r.wrapped === null || r.kek !== "mssp-a v1"));
    assert.notEqual((await kekSecrets(w, "mssp-a")).get(1), aSecrets.get(1), "A's v1 Vault secret was really overwritten");
    assert.deepEqual(await kekStatus(w, "mssp-a"), ["v2 active wraps 2", "v1 retired wraps 0 overwritten"]);
    assert.deepEqual(await kekStatus(w, "mssp-b"), ["v1 active wraps 5"]);
    assert.deepEqual(await deks(w), deksAtStart);
    await assertAllOpen(w, "after A's KEK rotation");
    assert.deepEqual(await problems(w), []);

    // 3. B's KEK: re-wraps B's own and the moved subtree's keys.
    const bSecrets = await kekSecrets(w, "mssp-b");
    assert.deepEqual(await rotateKek(B), { newVersion: 2, rewrapped: 5, repaired: 0 });
    const afterB = await keyRows(w);
    assert.deepEqual(changed(afterA, afterB), live([...moved, ...ofB]));
    assert.notEqual((await kekSecrets(w, "mssp-b")).get(1), bSecrets.get(1));
    assert.deepEqual(await kekStatus(w, "mssp-a"), ["v2 active wraps 2", "v1 retired wraps 0 overwritten"]);
    assert.deepEqual(await kekStatus(w, "mssp-b"), ["v2 active wraps 5", "v1 retired wraps 0 overwritten"]);
    assert.deepEqual(await deks(w), deksAtStart);
    await assertAllOpen(w, "after B's KEK rotation");

    // 4. The customer's DEK: a new version under B's KEK, every credential re-sealed, v1 erased.
    const credentialsBefore = await credentialRows(w);
    assert.deepEqual(await rotateTenantDek(w.fx.tenants.acme), { targetVersion: 2, resealed: 5, skipped: 0, retiredVersions: [1] });
    const afterDek = await keyRows(w);
    assert.deepEqual(changed(afterB, afterDek), ["acme v1", "acme v2"]);
    assert.deepEqual(afterDek.get("acme v1"), { status: "retired", wrapped: null, kek: "mssp-b v2" });
    assert.equal(afterDek.get("acme v2")?.kek, "mssp-b v2");
    const credentialsAfter = await credentialRows(w);
    for (const [id, sealed] of credentialsAfter) {
      const mine = w.secrets.get(id)!.tenantId === w.fx.tenants.acme;
      if (mine) assert.match(sealed, /^2:/, "acme's credentials are on v2");
      else assert.equal(sealed, credentialsBefore.get(id), "no other tenant's credential changed");
    }
    for (const [id, sealed] of credentialsBefore) {
      if (w.secrets.get(id)!.tenantId !== w.fx.tenants.acme) assert.equal(sealed, credentialsAtStart.get(id));
    }
    await assertAllOpen(w, "after acme's DEK rotation");
    assert.deepEqual(await kekStatus(w, "mssp-b"), ["v2 active wraps 5", "v1 retired wraps 0 overwritten"]);
    assert.deepEqual(await foreignKeys(w), []);
    assert.deepEqual(await problems(w), []);

    // What the operator sees.
    for (const mssp of ["mssp-a", "mssp-b"] as const) {
      const out = await statusCommand(w, mssp);
      assert.match(out, /KEK v2 +active .*wraps \d+ tenant key/);
      assert.match(out, /KEK v1 +retired .*wraps 0 tenant keys; Vault secret overwritten/);
      assert.doesNotMatch(out, /NOT overwritten|foreign/i);
      assert.match(out, /Keyring consistent/);
    }
    assert.match(await statusCommand(w, "mssp-b"), new RegExp(`${w.prefix}acme +v2 .*KEK v2`));
  });

  test("a move within one MSSP, and the MSSP renamed, leave the keyring untouched", async () => {
    const w = await world("mv2-");
    const keys = await keyRows(w);
    const secrets = await kekSecrets(w, "mssp-a");

    await moveTo(w, "acme-us", "globex");
    assert.equal(await pathOf(w, "acme-us"), `${label(w, "mssp-a")}.${label(w, "globex")}.${label(w, "acme-us")}`);
    assert.deepEqual(changed(keys, await keyRows(w)), [], "a site moved to another customer of the same MSSP");

    // Every path's first label changes; the MSSP does not.
    await owner.query("update public.tenants set slug = $2 where id = $1", [w.fx.tenants["mssp-a"], `${w.prefix}mssp-a-renamed`]);
    assert.equal(await pathOf(w, "acme-eu"), `${label(w, "mssp-a-renamed")}.${label(w, "acme")}.${label(w, "acme-eu")}`);
    assert.deepEqual(changed(keys, await keyRows(w)), [], "the MSSP renamed");
    assert.deepEqual(await kekSecrets(w, "mssp-a"), secrets);
    await assertAllOpen(w, "after the moves");

    // Its next KEK rotation re-wraps all five of its keys as its own: nothing to repair.
    assert.deepEqual(await rotateKek(w.fx.tenants["mssp-a"]), { newVersion: 2, rewrapped: 5, repaired: 0 });
    assert.deepEqual(await kekStatus(w, "mssp-a"), ["v2 active wraps 5", "v1 retired wraps 0 overwritten"]);
    await assertAllOpen(w, "after the rotation");
  });
});

describe("keys left behind by a move made before keys followed moves", () => {
  test("after the migration, they and the KEK the old rotation retired are reported, open again, and the next rotations repair them", async () => {
    const w = await world("mv3-");
    const A = w.fx.tenants["mssp-a"];
    const B = w.fx.tenants["mssp-b"];
    const moved = subtree("acme");
    const deksAtStart = await deks(w);
    const versions = (await listMigrations()).map((m) => m.version);
    const previous = versions.filter((v) => v < MIGRATION).at(-1)!;

    // The reviewer's damage, made by the code before this migration.
    await rollback(db.url, { toVersion: previous });
    try {
      await moveTo(w, "acme", "mssp-b");
      await owner.query("select * from keyring.rotate_kek($1)", [A]);
      clearKeyCache();
      await assert.rejects(dekFor(w.fx.tenants.acme, 1), TenantKeyUnavailableError, "the reported breakage, before the migration");
    } finally {
      await migrateInCluster(db.url, db.adminUrl);
    }

    // Status tells the truth: A's v1 is retired but its secret was not overwritten, and it still wraps the moved keys.
    assert.deepEqual(await kekStatus(w, "mssp-a"), ["v2 active wraps 2", "v1 retired wraps 3 (3 foreign) NOT overwritten"]);
    assert.deepEqual(await kekStatus(w, "mssp-b"), ["v1 active wraps 2"]);
    assert.deepEqual(await foreignKeys(w), live(moved));
    const found = await problems(w);
    assert.equal(found.length, 5, found.join("\n"));
    assert.ok(found.some((p) => /KEK v1 of mv3-mssp-a is retired but its Vault secret was not overwritten; it still wraps 3/.test(p)), found.join("\n"));
    assert.ok(found.some((p) => /KEK v1 of mv3-mssp-a wraps 3 keys of tenants now under another MSSP/.test(p)), found.join("\n"));
    for (const slug of moved) {
      assert.ok(
        found.some((p) => p.includes(`${w.prefix}${slug} v1 is wrapped by ${w.prefix}mssp-a's KEK v1, not by its own MSSP's (${w.prefix}mssp-b)`)),
        found.join("\n"),
      );
    }
    const outA = await statusCommand(w, "mssp-a");
    assert.match(outA, /KEK v1 +retired .*wraps 3 tenant keys, 3 of tenants now under another MSSP; Vault secret NOT overwritten/);
    assert.match(outA, /Problems \(2\):/);
    const outB = await statusCommand(w, "mssp-b");
    assert.match(outB, new RegExp(`${w.prefix}acme-eu +v1 +${w.prefix}mssp-a KEK v1 \\(foreign\\)`));
    assert.match(outB, /Problems \(3\):/);
    assert.doesNotMatch(outB, /Keyring consistent/);
    // The material is still there, so the customer's credentials open again.
    await assertAllOpen(w, "after the migration");

    // B's next rotation repairs the moved keys (the "either MSSP" of point 3)...
    const beforeB = await keyRows(w);
    assert.deepEqual(await rotateKek(B), { newVersion: 2, rewrapped: 5, repaired: 3 });
    const afterB = await keyRows(w);
    assert.deepEqual(changed(beforeB, afterB), live([...moved, "mssp-b", "other-co"]));
    for (const slug of moved) assert.equal(afterB.get(`${slug} v1`)?.kek, "mssp-b v2");
    assert.deepEqual(await foreignKeys(w), []);
    // ...and A's v1 now wraps nothing, but its secret is still there until A's next rotation overwrites it.
    assert.deepEqual(await kekStatus(w, "mssp-a"), ["v2 active wraps 2", "v1 retired wraps 0 NOT overwritten"]);
    assert.deepEqual(
      (await problems(w)).map((p) => p.replace(/ The next.*/, "")),
      [`KEK v1 of ${w.prefix}mssp-a is retired but its Vault secret was not overwritten; it wraps nothing.`],
    );
    await assertAllOpen(w, "after B's KEK rotation");

    const aSecrets = await kekSecrets(w, "mssp-a");
    assert.deepEqual(await rotateKek(A), { newVersion: 3, rewrapped: 2, repaired: 0 });
    const overwritten = await kekSecrets(w, "mssp-a");
    assert.notEqual(overwritten.get(1), aSecrets.get(1), "A's v1 overwritten at last");
    assert.notEqual(overwritten.get(2), aSecrets.get(2));
    assert.deepEqual(await kekStatus(w, "mssp-a"), ["v3 active wraps 2", "v2 retired wraps 0 overwritten", "v1 retired wraps 0 overwritten"]);
    assert.deepEqual(await problems(w), []);
    assert.match(await statusCommand(w, "mssp-a"), /Keyring consistent/);

    assert.deepEqual(await deks(w), deksAtStart);
    await assertAllOpen(w, "after A's KEK rotation");
    assert.equal((await rotateTenantDek(w.fx.tenants.acme)).resealed, 5);
    await assertAllOpen(w, "after acme's DEK rotation");
  });

  test("the old MSSP's next rotation repairs them too", async () => {
    const w = await world("mv4-");
    // A move that left its keys behind, as one made before the migration did.
    await owner.query("alter table public.tenants disable trigger tenants_keys_follow_root");
    try {
      await moveTo(w, "acme", "mssp-b");
    } finally {
      await owner.query("alter table public.tenants enable trigger tenants_keys_follow_root");
    }
    assert.deepEqual(await foreignKeys(w), live(subtree("acme")));
    assert.deepEqual(await kekStatus(w, "mssp-a"), ["v1 active wraps 5 (3 foreign)"]);
    await assertAllOpen(w, "keys left behind still open");

    const before = await keyRows(w);
    assert.deepEqual(await rotateKek(w.fx.tenants["mssp-a"]), { newVersion: 2, rewrapped: 5, repaired: 3 });
    const after = await keyRows(w);
    assert.deepEqual(changed(before, after), live([...subtree("acme"), "mssp-a", "globex"]), "B's own keys untouched");
    assert.deepEqual(wrappedBy(after), {
      "acme v1": "mssp-b v1",
      "acme-eu v1": "mssp-b v1",
      "acme-us v1": "mssp-b v1",
      "globex v1": "mssp-a v2",
      "mssp-a v1": "mssp-a v2",
      "mssp-b v1": "mssp-b v1",
      "other-co v1": "mssp-b v1",
    });
    assert.deepEqual(await kekStatus(w, "mssp-a"), ["v2 active wraps 2", "v1 retired wraps 0 overwritten"]);
    assert.deepEqual(await kekStatus(w, "mssp-b"), ["v1 active wraps 5"]);
    assert.deepEqual(await problems(w), []);
    await assertAllOpen(w, "after A's KEK rotation");
  });
});

describe("moves, rotations and retiring KEKs at the same time", () => {
  test("a move racing a KEK rotation of either MSSP waits for it, and the keys end under the new MSSP's current KEK", async () => {
    const w = await world("mv5-");
    const rotating = new pg.Client({ connectionString: db.url });
    await rotating.connect();
    try {
      // B rotates while acme moves in: the move waits for B's rotation, then wraps under B's new v2.
      await rotating.query("begin");
      await rotating.query("select * from keyring.rotate_kek($1)", [w.fx.tenants["mssp-b"]]);
      let settled = false;
      const moveIn = moveTo(w, "acme", "mssp-b").finally(() => (settled = true));
      await sleep(300);
      assert.equal(settled, false, "the move waits for B's rotation");
      await rotating.query("commit");
      await moveIn;
      for (const slug of subtree("acme")) assert.equal((await keyRows(w)).get(`${slug} v1`)?.kek, "mssp-b v2");

      // A rotates while globex moves out: the move waits for A's rotation, then wraps under B's v2.
      await rotating.query("begin");
      await rotating.query("select * from keyring.rotate_kek($1)", [w.fx.tenants["mssp-a"]]);
      settled = false;
      const moveOut = moveTo(w, "globex", "mssp-b").finally(() => (settled = true));
      await sleep(300);
      assert.equal(settled, false, "the move waits for A's rotation");
      await rotating.query("commit");
      await moveOut;
    } finally {
      await rotating.end();
    }
    assert.deepEqual(wrappedBy(await keyRows(w)), {
      "acme v1": "mssp-b v2",
      "acme-eu v1": "mssp-b v2",
      "acme-us v1": "mssp-b v2",
      "globex v1": "mssp-b v2",
      "mssp-a v1": "mssp-a v2",
      "mssp-b v1": "mssp-b v2",
      "other-co v1": "mssp-b v2",
    });
    assert.deepEqual(await kekStatus(w, "mssp-a"), ["v2 active wraps 1", "v1 retired wraps 0 overwritten"]);
    assert.deepEqual(await kekStatus(w, "mssp-b"), ["v2 active wraps 6", "v1 retired wraps 0 overwritten"]);
    await assertAllOpen(w, "after the races");
  });

  test("a KEK version that still wraps a key cannot be retired", async () => {
    const w = await world("mv6-");
    await owner.query("begin");
    try {
      await owner.query("update keyring.keks set status = 'retired', retired_at = now() where root_tenant_id = $1", [w.fx.tenants["mssp-a"]]);
      await assert.rejects(owner.query("commit"), (e: { code?: string; message: string }) => {
        assert.equal(e.code, "55000");
        assert.match(e.message, /KEK v1 of MSSP .* still wraps 5 tenant key\(s\); it cannot be retired/);
        return true;
      });
    } finally {
      await owner.query("rollback").catch(() => {});
    }
    assert.deepEqual(await kekStatus(w, "mssp-a"), ["v1 active wraps 5"]);
    await assertAllOpen(w, "after the refused retirement");
  });
});
