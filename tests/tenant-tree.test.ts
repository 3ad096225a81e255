// The ltree path trigger: a tenant's path is derived from its parent's on
// insert, follows a slug rename and a move down the whole subtree, cannot be
// written by hand, and a move under the tenant's own subtree is refused.
// Because policies compare paths, a move changes who sees the subtree.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

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

/** Each test gets its own copy of the fixture tree, slugs prefixed `<prefix>-`. */
async function tree(prefix: string): Promise<Fixtures & { label(slug: TenantSlug): string }> {
  const fx = await insertFixtures(db.url, { prefix: `${prefix}-` });
  return { ...fx, label: (slug) => `${prefix}-${slug}`.replaceAll("-", "_") };
}

async function paths(fx: Fixtures): Promise<Partial<Record<TenantSlug, string>>> {
  const { rows } = await owner.query<{ id: string; path: string }>(
    "select id, path::text as path from public.tenants where id = any ($1)",
    [Object.values(fx.tenants)],
  );
  return Object.fromEntries(rows.map((r) => [fx.slugOf(r.id), r.path]));
}

async function pathOf(id: string): Promise<string> {
  return (await owner.query("select path::text as path from public.tenants where id = $1", [id])).rows[0].path;
}

async function sqlState(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

/** Slugs of the tenants whose alerts `user` can read. */
function alertTenants(fx: Fixtures, user: UserName): Promise<TenantSlug[]> {
  return as(fx, user, async ({ client }) =>
    (await client.query<{ tenant_id: string }>("select distinct tenant_id from public.alerts")).rows
      .map((r) => fx.slugOf(r.tenant_id))
      .sort(),
  );
}

describe("insert", () => {
  test("computes the path from the parent's path and the slug", async () => {
    const fx = await tree("ins");
    const l = fx.label;
    assert.deepEqual(await paths(fx), {
      "mssp-a": l("mssp-a"),
      acme: `${l("mssp-a")}.${l("acme")}`,
      "acme-eu": `${l("mssp-a")}.${l("acme")}.${l("acme-eu")}`,
      "acme-us": `${l("mssp-a")}.${l("acme")}.${l("acme-us")}`,
      globex: `${l("mssp-a")}.${l("globex")}`,
      "mssp-b": l("mssp-b"),
      "other-co": `${l("mssp-b")}.${l("other-co")}`,
    });
  });

  test("ignores a hand-written path", async () => {
    const fx = await tree("hand");
    const { rows } = await owner.query(
      "insert into public.tenants (parent_id, slug, name, kind, path) values ($1, 'hand-lab', 'Lab', 'site', 'mssp_b.stolen') returning path::text as path",
      [fx.tenants["acme-eu"]],
    );
    assert.equal(rows[0].path, `${await pathOf(fx.tenants["acme-eu"])}.hand_lab`);
    await owner.query("update public.tenants set path = 'mssp_b.stolen' where id = $1", [fx.tenants.acme]);
    assert.equal(await pathOf(fx.tenants.acme), `${fx.label("mssp-a")}.${fx.label("acme")}`, "update of path alone is ignored");
  });

  test("refuses a parent that does not exist", async () => {
    const code = await sqlState(
      owner.query("insert into public.tenants (parent_id, slug, name, kind) values (gen_random_uuid(), 'orphan', 'O', 'customer')"),
    );
    assert.equal(code, "23503");
  });
});

describe("rename", () => {
  test("renaming a slug rewrites the path of every descendant, at every depth", async () => {
    const fx = await tree("ren");
    const lab = (
      await owner.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'ren-lab', 'Lab', 'site') returning id", [
        fx.tenants["acme-eu"],
      ])
    ).rows[0].id;
    const before = await paths(fx);

    await owner.query("update public.tenants set slug = 'ren-acme-corp' where id = $1", [fx.tenants.acme]);

    const root = `${fx.label("mssp-a")}.ren_acme_corp`;
    const after = await paths(fx);
    assert.equal(after.acme, root);
    assert.equal(after["acme-eu"], `${root}.${fx.label("acme-eu")}`);
    assert.equal(after["acme-us"], `${root}.${fx.label("acme-us")}`);
    assert.equal(await pathOf(lab), `${root}.${fx.label("acme-eu")}.ren_lab`);
    for (const untouched of ["mssp-a", "globex", "mssp-b", "other-co"] as const) {
      assert.equal(after[untouched], before[untouched], `${untouched} must not change`);
    }
    // Access follows: the acme admin still sees its whole (renamed) subtree.
    assert.deepEqual(await alertTenants(fx, "acmeAdmin"), ["acme", "acme-eu", "acme-us"]);
  });
});

describe("move", () => {
  test("moving a customer to another MSSP rewrites its subtree and moves access with it", async () => {
    const fx = await tree("mv");
    assert.deepEqual(await alertTenants(fx, "msspAdmin"), ["acme", "acme-eu", "acme-us", "globex", "mssp-a"]);
    assert.deepEqual(await alertTenants(fx, "msspBAdmin"), ["mssp-b", "other-co"]);

    await owner.query("update public.tenants set parent_id = $1 where id = $2", [fx.tenants["mssp-b"], fx.tenants.acme]);

    const root = `${fx.label("mssp-b")}.${fx.label("acme")}`;
    const after = await paths(fx);
    assert.equal(after.acme, root);
    assert.equal(after["acme-eu"], `${root}.${fx.label("acme-eu")}`);
    assert.equal(after["acme-us"], `${root}.${fx.label("acme-us")}`);
    assert.deepEqual(await alertTenants(fx, "msspAdmin"), ["globex", "mssp-a"], "the old parent's admin loses the subtree");
    assert.deepEqual(await alertTenants(fx, "msspBAdmin"), ["acme", "acme-eu", "acme-us", "mssp-b", "other-co"], "the new parent's admin gains it");
    assert.deepEqual(await alertTenants(fx, "acmeAdmin"), ["acme", "acme-eu", "acme-us"], "the customer's own admin keeps it");
  });

  test("moving a site to another customer moves access with it", async () => {
    const fx = await tree("site");
    await owner.query("update public.tenants set parent_id = $1 where id = $2", [fx.tenants.globex, fx.tenants["acme-eu"]]);
    assert.equal(await pathOf(fx.tenants["acme-eu"]), `${fx.label("mssp-a")}.${fx.label("globex")}.${fx.label("acme-eu")}`);
    assert.deepEqual(await alertTenants(fx, "acmeAdmin"), ["acme", "acme-us"]);
    assert.deepEqual(await alertTenants(fx, "globexAdmin"), ["acme-eu", "globex"]);
    assert.deepEqual(await alertTenants(fx, "acmeEuAdmin"), ["acme-eu"]);
  });

  for (const [i, [what, newParent]] of ([
    ["itself", "acme"],
    ["its child", "acme-eu"],
    ["its grandchild", "lab"],
  ] as const).entries()) {
    test(`refuses to move a tenant under ${what}`, async () => {
      const fx = await tree(`loop${i}`);
      const lab = (
        await owner.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, $2, 'Lab', 'site') returning id", [
          fx.tenants["acme-eu"],
          `loop${i}-lab`,
        ])
      ).rows[0].id;
      const before = await paths(fx);
      const target = newParent === "lab" ? lab : fx.tenants[newParent];
      const code = await sqlState(owner.query("update public.tenants set parent_id = $1 where id = $2", [target, fx.tenants.acme]));
      assert.equal(code, "23514");
      assert.deepEqual(await paths(fx), before);
    });
  }
});
