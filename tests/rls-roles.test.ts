// What each role may do inside its own scope: viewers read, analysts triage,
// admins delete; a role applies to the tenant it is held on and everything
// below it, never to a tenant held with another role; tenants are not
// writable by `authenticated` at all and memberships only by admins, within
// the team rules (tests/team-rules.test.ts); the password hash is not readable.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as, asOwnerRolledBack, asRolledBack, assertRefused, assertRows, attempt } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
});
after(async () => {
  await owner?.end();
  await db?.drop();
});

async function scratchAlert(slug: TenantSlug): Promise<string> {
  const { rows } = await owner.query(
    "insert into public.alerts (tenant_id, title, severity, source) values ($1, 'scratch', 'low', 'test') returning id",
    [fx.tenants[slug]],
  );
  return rows[0].id;
}
async function alertStatus(id: string): Promise<string | undefined> {
  return (await owner.query("select status from public.alerts where id = $1", [id])).rows[0]?.status;
}

interface RoleCase {
  user: UserName;
  role: string;
  on: TenantSlug;
  read: boolean;
  update: boolean;
  delete: boolean;
}

const ROLE_CASES: RoleCase[] = [
  { user: "acmeViewer", role: "tenant_viewer", on: "acme", read: true, update: false, delete: false },
  { user: "acmeAnalyst", role: "tenant_analyst", on: "acme", read: true, update: true, delete: false },
  { user: "acmeAdmin", role: "tenant_admin", on: "acme", read: true, update: true, delete: true },
  // A role on a tenant applies to its subtree.
  { user: "acmeViewer", role: "tenant_viewer", on: "acme-eu", read: true, update: false, delete: false },
  { user: "acmeAnalyst", role: "tenant_analyst", on: "acme-us", read: true, update: true, delete: false },
  { user: "acmeAdmin", role: "tenant_admin", on: "acme-eu", read: true, update: true, delete: true },
  { user: "acmeEuAdmin", role: "tenant_admin", on: "acme-eu", read: true, update: true, delete: true },
  { user: "msspAnalyst", role: "mssp_analyst", on: "globex", read: true, update: true, delete: false },
  { user: "msspAnalyst", role: "mssp_analyst", on: "acme-us", read: true, update: true, delete: false },
  { user: "msspAdmin", role: "mssp_admin", on: "acme-eu", read: true, update: true, delete: true },
  { user: "msspAdmin", role: "mssp_admin", on: "mssp-a", read: true, update: true, delete: true },
  // Each membership keeps its own role: viewer on acme does not borrow analyst from globex.
  { user: "twoCustomers", role: "tenant_viewer", on: "acme", read: true, update: false, delete: false },
  { user: "twoCustomers", role: "tenant_analyst", on: "globex", read: true, update: true, delete: false },
];

for (const c of ROLE_CASES) {
  const verb = (ok: boolean, what: string) => `${ok ? "can" : "cannot"} ${what}`;
  describe(`${c.user} (${c.role}) on ${c.on} alerts`, () => {
    test(verb(c.read, "read"), async () => {
      const n = await as(fx, c.user, async ({ client }) =>
        (await client.query("select id from public.alerts where tenant_id = $1 and id = any ($2)", [fx.tenants[c.on], fx.alerts[c.on]]))
          .rowCount,
      );
      assert.equal(n, c.read ? 2 : 0);
    });

    // People never create alerts: only an API key with alerts:write does (migration 20261201031100,
    // tests/direct-write-guards-alerts.test.ts), so every role is refused here.
    test("cannot insert (API keys create alerts)", async () => {
      const o = await asRolledBack(fx, c.user, ({ client }) =>
        attempt(client, "insert into public.alerts (tenant_id, title, severity, source) values ($1, 'new', 'low', 'test')", [
          fx.tenants[c.on],
        ]),
      );
      assertRefused(o);
    });

    test(verb(c.update, "update (triage)"), async () => {
      const id = await scratchAlert(c.on);
      const o = await as(fx, c.user, ({ client }) =>
        attempt(client, "update public.alerts set status = 'acknowledged' where id = $1", [id]),
      );
      assertRows(o, c.update ? 1 : 0);
      assert.equal(await alertStatus(id), c.update ? "acknowledged" : "new");
    });

    test(verb(c.delete, "delete"), async () => {
      const id = await scratchAlert(c.on);
      const o = await as(fx, c.user, ({ client }) => attempt(client, "delete from public.alerts where id = $1", [id]));
      assertRows(o, c.delete ? 1 : 0);
      assert.equal(await alertStatus(id), c.delete ? undefined : "new");
    });
  });
}

describe("assets follow the same roles", () => {
  test("no person registers an asset (API keys with assets:write do); only an admin deletes one", async () => {
    const insert = "insert into public.assets (tenant_id, hostname) values ($1, 'new-host-' || gen_random_uuid())";
    for (const user of ["acmeViewer", "acmeAnalyst", "acmeAdmin"] as const) {
      assertRefused(await asRolledBack(fx, user, ({ client }) => attempt(client, insert, [fx.tenants.acme])));
    }
    const del = "delete from public.assets where id = $1";
    assertRows(await asRolledBack(fx, "acmeAnalyst", ({ client }) => attempt(client, del, [fx.assets.acme[1]])), 0);
    assertRows(await asRolledBack(fx, "acmeAdmin", ({ client }) => attempt(client, del, [fx.assets.acme[1]])), 1);
  });
});

describe("tenants are not writable by authenticated, even by an MSSP admin on its own tree", () => {
  const statements: [string, string, (fx: Fixtures) => unknown[]][] = [
    ["insert a tenant", "insert into public.tenants (parent_id, slug, name, kind) values ($1, 'new-customer', 'New', 'customer')", (f) => [f.tenants["mssp-a"]]],
    ["rename a tenant", "update public.tenants set name = 'Renamed' where id = $1", (f) => [f.tenants.acme]],
    ["suspend a tenant", "update public.tenants set status = 'suspended' where id = $1", (f) => [f.tenants.acme]],
    ["re-parent a tenant", "update public.tenants set parent_id = $1 where id = $2", (f) => [f.tenants.globex, f.tenants["acme-eu"]]],
    ["delete a tenant", "delete from public.tenants where id = $1", (f) => [f.tenants["acme-us"]]],
  ];
  for (const [what, sql, params] of statements) {
    test(`cannot ${what}`, async () => {
      for (const user of ["msspAdmin", "acmeAdmin"] as const) {
        assertRefused(await asRolledBack(fx, user, ({ client }) => attempt(client, sql, params(fx))));
      }
      assertRows(await asOwnerRolledBack(owner, sql, params(fx)), 1); // the statement itself is valid
    });
  }
});

describe("memberships: never inserted directly, moved or re-owned; only admins change or remove them", () => {
  test("nobody inserts a membership directly, not even an MSSP admin in its own tree", async () => {
    const sql = "insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'tenant_admin')";
    for (const [user, tenant] of [["msspAdmin", "globex"], ["acmeAdmin", "acme-eu"]] as const) {
      assertRefused(await asRolledBack(fx, user, ({ client }) => attempt(client, sql, [fx.tenants[tenant], fx.users.acmeViewer])));
    }
    assertRows(await asOwnerRolledBack(owner, sql, [fx.tenants.globex, fx.users.acmeViewer]), 1);
  });

  for (const [what, sql] of [
    ["move a membership to another tenant", "update public.memberships set tenant_id = $2 where user_id = $1"],
    ["hand a membership to another user", "update public.memberships set user_id = $2 where user_id = $1"],
  ] as const) {
    test(`an admin cannot ${what}`, async () => {
      const other = what.includes("tenant") ? fx.tenants["acme-eu"] : fx.users.noMemberships;
      const o = await asRolledBack(fx, "acmeAdmin", ({ client }) => attempt(client, sql, [fx.users.acmeViewer, other]));
      assertRefused(o);
      const asOwner = await asOwnerRolledBack(owner, sql, [fx.users.acmeViewer, other]);
      // tenant_id never changes, for anyone, the owner included (20261130000500); a user can be swapped by the owner.
      if (what.includes("tenant")) assertRefused(asOwner);
      else assertRows(asOwner, 1);
    });
  }

  for (const user of ["acmeAnalyst", "acmeViewer", "msspAnalyst"] as const) {
    test(`${user} (not an admin) cannot change a role or remove a member in its scope`, async () => {
      const [change, remove] = await asRolledBack(fx, user, async ({ client }) => [
        await attempt(client, "update public.memberships set role = 'tenant_admin' where tenant_id = $1 and user_id = $2", [fx.tenants.acme, fx.users[user === "acmeViewer" ? "acmeAnalyst" : "acmeViewer"]]),
        await attempt(client, "delete from public.memberships where tenant_id = $1 and user_id = $2", [fx.tenants.acme, fx.users[user === "acmeViewer" ? "acmeAnalyst" : "acmeViewer"]]),
      ]);
      assertRows(change, 0);
      assertRows(remove, 0);
    });
  }

  test("control: an admin can change a role below its own rank in its tenant", async () => {
    const o = await asRolledBack(fx, "acmeAdmin", ({ client }) =>
      attempt(client, "update public.memberships set role = 'tenant_analyst' where tenant_id = $1 and user_id = $2", [fx.tenants.acme, fx.users.acmeViewer]),
    );
    assertRows(o, 1);
  });
});

describe("users: the password hash and lockout state are not readable, only the own name is writable", () => {
  for (const column of ["password_hash", "failed_login_count", "locked_until", "last_login_at"]) {
    test(`cannot read ${column}, not even its own`, async () => {
      const o = await asRolledBack(fx, "acmeAdmin", ({ client }) =>
        attempt(client, `select ${column} from public.users where id = $1`, [fx.users.acmeAdmin]),
      );
      assertRefused(o);
    });
  }

  test("select * is refused; the granted columns are readable", async () => {
    const [star, granted] = await asRolledBack(fx, "msspAdmin", async ({ client }) => [
      await attempt(client, "select * from public.users"),
      await attempt(client, "select id, email, name, created_at from public.users where id = $1", [fx.users.msspAdmin]),
    ]);
    assertRefused(star);
    assertRows(granted, 1);
  });

  test("a user can rename itself but cannot write its password hash or another user's name", async () => {
    const [self, hash, other] = await asRolledBack(fx, "acmeAdmin", async ({ client }) => [
      await attempt(client, "update public.users set name = 'Me' where id = $1", [fx.users.acmeAdmin]),
      await attempt(client, "update public.users set password_hash = 'x' where id = $1", [fx.users.acmeAdmin]),
      // acmeViewer is visible to acmeAdmin (same tenant) but not theirs to edit.
      await attempt(client, "update public.users set name = 'Renamed' where id = $1", [fx.users.acmeViewer]),
    ]);
    assertRows(self, 1);
    assertRefused(hash);
    assertRows(other, 0);
  });
});
