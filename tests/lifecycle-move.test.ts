// Moving tenants (issue 8, point 5) on the real Postgres: within an MSSP the
// subtree's paths, memberships and RLS follow; to another MSSP the old MSSP's
// staff lose access at their next statement, the new one's gain it, and the
// keys follow (an old-MSSP KEK rotation afterwards leaves them openable).
// The tree's rules refuse cycles, wrong kinds and roots, with nothing changed.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { withServiceRole } from "@/lib/db/service-role";
import { moveTenant } from "@/lib/lifecycle/move";
import { activeKeyFor, clearKeyCache, rotateKek } from "@/lib/vault/keys";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as } from "./helpers/sql";
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
  await owner.end();
  await db.drop();
});

const lifecycle = <T>(fn: Parameters<typeof withServiceRole<T>>[1]) => withServiceRole("lifecycle.workflow", fn);
const sees = (user: UserName, slug: TenantSlug) =>
  as(fx, user, async (tx) => (await tx.client.query("select count(*)::int as n from public.alerts where tenant_id = $1", [fx.tenants[slug]])).rows[0].n > 0);
const pathOf = async (slug: TenantSlug) => (await owner.query("select path::text as p from public.tenants where id = $1", [fx.tenants[slug]])).rows[0].p;

describe("moving tenants", () => {
  test("a site to another customer of the same MSSP: paths and access follow, keys stay", async () => {
    const keysBefore = (await owner.query("select tenant_id, version, kek_root_id, wrapped_dek from keyring.tenant_keys order by 1, 2")).rows;
    assert.equal(await sees("acmeAdmin", "acme-eu"), true);
    assert.equal(await sees("globexAdmin", "acme-eu"), false);
    const m = await lifecycle((sdb) => moveTenant(sdb, fx.tenants["acme-eu"], fx.tenants.globex));
    assert.equal(m.crossMssp, false);
    assert.equal(await pathOf("acme-eu"), "mssp_a.globex.acme_eu");
    assert.equal(await sees("acmeAdmin", "acme-eu"), false, "the old customer's admin lost the site");
    assert.equal(await sees("globexAdmin", "acme-eu"), true, "the new customer's admin gained it");
    assert.equal(await sees("acmeEuAdmin", "acme-eu"), true, "the site's own admin keeps it");
    assert.equal(await sees("otherCoAdmin", "acme-eu"), false);
    assert.deepEqual((await owner.query("select tenant_id, version, kek_root_id, wrapped_dek from keyring.tenant_keys order by 1, 2")).rows, keysBefore);
    await lifecycle((sdb) => moveTenant(sdb, fx.tenants["acme-eu"], fx.tenants.acme));
  });

  test("a customer to another MSSP: the old staff lose it at their next statement, its keys follow", async () => {
    assert.equal(await sees("msspAdmin", "acme-us"), true);
    const m = await lifecycle((sdb) => moveTenant(sdb, fx.tenants.acme, fx.tenants["mssp-b"]));
    assert.equal(m.crossMssp, true);
    assert.equal(m.subtreeSize, 3);
    assert.equal(await pathOf("acme-us"), "mssp_b.acme.acme_us");
    for (const slug of ["acme", "acme-eu", "acme-us"] as const) {
      assert.equal(await sees("msspAdmin", slug), false, `mssp-a staff still see ${slug}`);
      assert.equal(await sees("msspBAdmin", slug), true, `mssp-b staff do not see ${slug}`);
      assert.equal(await sees("acmeAdmin", slug), true, "the customer's own admin keeps access");
    }
    const { rows } = await owner.query(
      "select count(*)::int as n from keyring.tenant_keys where tenant_id = any($1) and wrapped_dek is not null and kek_root_id <> $2",
      [[fx.tenants.acme, fx.tenants["acme-eu"], fx.tenants["acme-us"]], fx.tenants["mssp-b"]],
    );
    assert.equal(rows[0].n, 0, "every live key of the subtree is wrapped by the new MSSP's KEK");
    await rotateKek(fx.tenants["mssp-a"]);
    clearKeyCache();
    for (const slug of ["acme", "acme-eu", "acme-us"] as const) assert.equal((await activeKeyFor(fx.tenants[slug])).dek.length, 32);
    await lifecycle((sdb) => moveTenant(sdb, fx.tenants.acme, fx.tenants["mssp-a"]));
    assert.equal(await sees("msspAdmin", "acme-eu"), true, "moved back");
  });

  test("the subtree's own settings its new tenants above overrule are removed; the others stay", async () => {
    const set = (slug: TenantSlug, key: string, value: unknown, locked = false) =>
      owner.query("insert into public.tenant_settings (tenant_id, key, value, locked) values ($1, $2, $3::jsonb, $4)", [fx.tenants[slug], key, JSON.stringify(value), locked]);
    const own = async (slug: TenantSlug, key: string) =>
      (await owner.query<{ value: unknown }>("select value from public.tenant_settings where tenant_id = $1 and key = $2", [fx.tenants[slug], key])).rows[0]?.value ?? null;
    // globex requires MFA and locks the language; the site acme-eu turned MFA off and chose its language under acme.
    await set("globex", "session.mfa_required", true);
    await set("globex", "locale.language", "fr-FR", true);
    await set("acme-eu", "session.mfa_required", false);
    await set("acme-eu", "locale.language", "de-DE");
    await set("acme-eu", "locale.time_zone", "Europe/Berlin");
    const m = await lifecycle((sdb) => moveTenant(sdb, fx.tenants["acme-eu"], fx.tenants.globex));
    assert.equal(m.settingsRemoved, 2);
    assert.equal(await own("acme-eu", "session.mfa_required"), null, "an 'off' below 'on' cannot stand");
    assert.equal(await own("acme-eu", "locale.language"), null, "a value below a lock cannot stand");
    assert.equal(await own("acme-eu", "locale.time_zone"), "Europe/Berlin", "what nobody above overrules stays");
    assert.equal(await own("globex", "locale.language"), "fr-FR");
    // Back under acme (nothing required or locked there): nothing more is removed.
    await set("acme-eu", "session.mfa_required", true);
    const back = await lifecycle((sdb) => moveTenant(sdb, fx.tenants["acme-eu"], fx.tenants.acme));
    assert.equal(back.settingsRemoved, 0);
    assert.equal(await own("acme-eu", "session.mfa_required"), true);
    await owner.query("delete from public.tenant_settings where tenant_id = any($1)", [[fx.tenants.globex, fx.tenants["acme-eu"]]]);
  });

  test("refusals change nothing: cycles, wrong kinds, roots, same parent, unknown parent", async () => {
    const before = (await owner.query("select id, parent_id, path::text from public.tenants order by id")).rows;
    const refuse = (tenant: TenantSlug, to: string, message: RegExp) => assert.rejects(lifecycle((sdb) => moveTenant(sdb, fx.tenants[tenant], to)), message);
    await refuse("acme-eu", fx.tenants["acme-eu"], /under itself/);
    await owner.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'acme-eu-lab', 'Lab', 'site')", [fx.tenants["acme-eu"]]);
    const lab = (await owner.query("select id from public.tenants where slug = 'acme-eu-lab'")).rows[0].id;
    await refuse("acme-eu", lab, /under itself or one of its own sites/);
    await refuse("acme", fx.tenants.globex, /A customer moves under an MSSP/);
    await refuse("acme-eu", fx.tenants["mssp-a"], /A site moves under a customer or another site/);
    await refuse("mssp-a", fx.tenants["mssp-b"], /MSSP is a root/);
    await refuse("acme-eu", fx.tenants.acme, /already under/);
    await refuse("acme-eu", "00000000-0000-4000-8000-000000000000", /does not exist/);
    await owner.query("update public.tenants set status = 'deprovisioning' where id = $1", [fx.tenants.globex]);
    await refuse("acme-eu", fx.tenants.globex, /only active or suspended tenants move/);
    await owner.query("update public.tenants set status = 'active' where id = $1", [fx.tenants.globex]);
    // acme being offboarded (only its root's status changes): its sites stay "active", yet nothing moves
    // into them (the workflow would purge it) nor out of them (their keys may be shredded already).
    await owner.query("update public.tenants set status = 'deprovisioning' where id = $1", [fx.tenants.acme]);
    await refuse("acme-us", fx.tenants["acme-eu"], /acme-us.*below.*deprovisioning|below .* which is deprovisioning/i);
    await owner.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'globex-lab', 'Globex lab', 'site')", [fx.tenants.globex]);
    const globexLab = (await owner.query("select id from public.tenants where slug = 'globex-lab'")).rows[0].id;
    await assert.rejects(lifecycle((sdb) => moveTenant(sdb, globexLab, fx.tenants["acme-eu"])), /below .*, which is deprovisioning; nothing moves into or out of it/);
    await owner.query("delete from public.tenants where id = $1", [globexLab]);
    await owner.query("update public.tenants set status = 'active' where id = $1", [fx.tenants.acme]);
    await owner.query("delete from public.tenants where id = $1", [lab]);
    assert.deepEqual((await owner.query("select id, parent_id, path::text from public.tenants order by id")).rows, before);
  });
});
