// A restore writes only the tenants its archive lists. The console authorizes a
// restore for the archive header's tenants and the rows go in as the service role,
// while the transfer key is the operator's own: a re-sealed archive could carry a
// membership in another MSSP, an upsert of another tenant's row, a site hung under
// another tree, or another tenant's data key. Each section's writer refuses a row
// of a tenant the archive does not list, before anything of it is written.
// Real Postgres; the writers as restore.ts drives them, in a transaction rolled back.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { loadTenantCatalog, type TenantTable } from "@/lib/lifecycle/catalog";
import { ArchiveError } from "@/lib/lifecycle/archive";
import { TENANT_KEYS } from "@/lib/lifecycle/archive/sections";
import { createUserMap, emptyUserReport } from "@/lib/lifecycle/archive/users";
import { writerFor, type WriterContext } from "@/lib/lifecycle/archive/writer";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;
let catalog: TenantTable[];

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
  catalog = await loadTenantCatalog(owner);
});
after(async () => {
  await owner.end();
  await db.drop();
});

/** acme's subtree restored under mssp-a: the writers' context as restore.ts builds it. */
async function context(): Promise<WriterContext> {
  await createUserMap(owner);
  const tenantIds = [fx.tenants.acme, fx.tenants["acme-eu"], fx.tenants["acme-us"]];
  // What restore.ts opens with: the database's own list of the tenants this transaction restores (the key import's guard).
  await owner.query("select keyring.begin_restore($1::uuid[])", [tenantIds]);
  return {
    client: owner,
    catalog,
    columns: new Map(catalog.map((t) => [t.name, t.columns.map((c) => c.name)])),
    tenantIds,
    rootId: fx.tenants.acme,
    parentId: fx.tenants["mssp-a"],
    auditChains: [],
    keys: { dek: randomBytes(32), totp: randomBytes(32), mfaHere: null },
    users: emptyUserReport(),
    written: {},
    archiveHeads: new Map(),
    upgrades: new Map(),
    upgraded: new Map(),
  };
}

/** Feeds `lines` to a section's writer in a transaction that is always rolled back; what the section then holds for `where`. */
async function write(section: string, lines: string[], count: { sql: string; params: unknown[] }): Promise<{ error?: unknown; rows: number }> {
  await owner.query("begin");
  try {
    const writer = await writerFor(await context(), section);
    let error: unknown;
    try {
      for (const line of lines) await writer.row(line);
      await writer.end();
    } catch (e) {
      error = e;
    }
    const { rows } = await owner.query<{ n: number }>(count.sql, count.params);
    return { error, rows: rows[0].n };
  } finally {
    await owner.query("rollback");
  }
}

const tampered = (e: unknown) => e instanceof ArchiveError && e.code === "tampered" && /does not list/.test(e.message);
const rowOf = async (sql: string, params: unknown[]) => (await owner.query<{ line: Record<string, unknown> }>(sql, params)).rows[0].line;

describe("a restore writes only the archive's tenants", () => {
  test("a membership in another MSSP's tenant is refused; one of the archive's own goes in", async () => {
    const member = await rowOf("select to_jsonb(m) as line from public.memberships m where m.tenant_id = $1 and m.user_id = $2", [fx.tenants.acme, fx.users.acmeAdmin]);
    const count = { sql: "select count(*)::int as n from public.memberships where tenant_id = $1 and user_id = $2 and role = 'mssp_admin'", params: [fx.tenants["mssp-b"], fx.users.acmeAdmin] };
    const forged = { ...member, tenant_id: fx.tenants["mssp-b"], role: "mssp_admin" };
    const refused = await write("public.memberships", [JSON.stringify(forged)], count);
    assert.ok(tampered(refused.error), String(refused.error));
    assert.equal(refused.rows, 0, "no membership in mssp-b");
    // Control: the same writer takes the archive's own row (deleted first, so it can go back in).
    const own = await (async () => {
      await owner.query("begin");
      try {
        await owner.query("delete from public.memberships where tenant_id = $1 and user_id = $2", [fx.tenants.acme, fx.users.acmeAdmin]);
        const writer = await writerFor(await context(), "public.memberships");
        await writer.row(JSON.stringify(member));
        await writer.end();
        return (await owner.query<{ n: number }>("select count(*)::int as n from public.memberships where tenant_id = $1 and user_id = $2", [fx.tenants.acme, fx.users.acmeAdmin])).rows[0].n;
      } finally {
        await owner.query("rollback");
      }
    })();
    assert.equal(own, 1);
  });

  test("another tenant's row is not overwritten through the tenants upsert, nor a site hung under another tree", async () => {
    const globex = await rowOf("select (to_jsonb(t) - 'path') as line from public.tenants t where t.id = $1", [fx.tenants.globex]);
    const renamed = await write("public.tenants", [JSON.stringify({ ...globex, name: "Taken over" })], {
      sql: "select count(*)::int as n from public.tenants where id = $1 and name = 'Taken over'",
      params: [fx.tenants.globex],
    });
    assert.ok(tampered(renamed.error), String(renamed.error));
    assert.equal(renamed.rows, 0);
    const site = await rowOf("select (to_jsonb(t) - 'path') as line from public.tenants t where t.id = $1", [fx.tenants["acme-eu"]]);
    const moved = await write("public.tenants", [JSON.stringify({ ...site, parent_id: fx.tenants.globex })], {
      sql: "select count(*)::int as n from public.tenants where id = $1 and parent_id = $2",
      params: [fx.tenants["acme-eu"], fx.tenants.globex],
    });
    assert.ok(tampered(moved.error), String(moved.error));
    assert.equal(moved.rows, 0);
  });

  test("another tenant's data key is refused with a clear reason (the database refuses it too), before anything is imported", async () => {
    const key = { tenant_id: fx.tenants.globex, version: 7, status: "destroyed", created_at: new Date().toISOString(), retired_at: new Date().toISOString() };
    const refused = await write(TENANT_KEYS, [JSON.stringify(key)], {
      sql: "select count(*)::int as n from keyring.key_status($1::uuid) where version = 7",
      params: [fx.tenants.globex],
    });
    assert.ok(tampered(refused.error), String(refused.error));
    assert.equal(refused.rows, 0);
  });
});
