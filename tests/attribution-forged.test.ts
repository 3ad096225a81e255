// Who changed a setting, who made a group and who added someone to it are the caller, whatever a
// statement by SQL as a signed-in person (`authenticated`, as a Supabase Data API would let them)
// says (migration 20261201030920, docs/configuration.md, docs/alert-triage.md):
//   - a lock a customer's admin places in the name of the MSSP's admin, back-dated, is recorded as
//     theirs, now, and the "locked by … (<who>)" refusal below names them;
//   - assignee_groups.created_by / created_at and assignee_group_members.added_by / added_at are
//     the caller and now; a rename keeps who made the group;
//   - the portal's own writes (lib/settings/write.ts, lib/groups/store.ts) record the same, and the
//     owner and the service role (archive restores) keep what they write.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { addGroupMember, createGroup, renameGroup } from "@/lib/groups/store";
import { lockSettingValue, setSettingValue } from "@/lib/settings/write";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();
const LONG_AGO = "2000-01-01T00:00:00.000Z";

const setting = async (tenant: "acme" | "acme-eu", key: string) =>
  (await env.owner<{ changed_by: string | null; changed_at: Date; locked: boolean }>(
    "select changed_by, changed_at, locked from public.tenant_settings where tenant_id = $1 and key = $2",
    [env.fx.tenants[tenant], key],
  ))[0];

describe("tenant settings", () => {
  test("a lock forged in the MSSP admin's name, back-dated, is the customer admin's, now; the refusal below names them", async () => {
    const key = "locale.language";
    const started = (await env.owner<{ now: Date }>("select now() as now"))[0].now;
    try {
      await env.as("acmeAdmin", (tx) =>
        tx.client.query(
          `insert into public.tenant_settings (tenant_id, key, value, locked, changed_by, changed_at) values ($1, $2, '"en-US"', true, $3, $4)`,
          [env.fx.tenants.acme, key, env.fx.users.msspAdmin, LONG_AGO],
        ),
      );
      let row = await setting("acme", key);
      assert.equal(row.changed_by, env.fx.users.acmeAdmin);
      assert.ok(row.changed_at.getTime() >= started.getTime(), "not back-dated");

      // The same by UPDATE.
      await env.as("acmeAdmin", (tx) =>
        tx.client.query("update public.tenant_settings set changed_by = $3, changed_at = $4 where tenant_id = $1 and key = $2", [
          env.fx.tenants.acme, key, env.fx.users.msspAdmin, LONG_AGO,
        ]),
      );
      row = await setting("acme", key);
      assert.equal(row.changed_by, env.fx.users.acmeAdmin);
      assert.notEqual(row.changed_at.toISOString(), LONG_AGO);

      // The site's admin is told who really locked it.
      await assert.rejects(
        env.as("acmeEuAdmin", (tx) => tx.client.query(`insert into public.tenant_settings (tenant_id, key, value) values ($1, $2, '"de-DE"')`, [env.fx.tenants["acme-eu"], key])),
        (e: { code?: string; message: string }) => {
          assert.equal(e.code, "42501");
          assert.match(e.message, /locked by .*\(acmeAdmin\)/);
          return true;
        },
      );
    } finally {
      await env.owner("delete from public.tenant_settings where key = $1", [key]);
    }
  });

  test("the portal's own writes record the caller; the owner (a restore) keeps what it writes", async () => {
    const key = "locale.language";
    await env.as("msspAdmin", (tx) => setSettingValue(tx, { tenantId: env.fx.tenants.acme, key, raw: "en-US" }));
    assert.equal((await setting("acme", key)).changed_by, env.fx.users.msspAdmin);
    await env.as("acmeAdmin", (tx) => lockSettingValue(tx, { tenantId: env.fx.tenants.acme, key }));
    const row = await setting("acme", key);
    assert.deepEqual([row.changed_by, row.locked], [env.fx.users.acmeAdmin, true]);

    await env.owner("update public.tenant_settings set changed_by = $3, changed_at = $4 where tenant_id = $1 and key = $2", [
      env.fx.tenants.acme, key, env.fx.users.msspAdmin, LONG_AGO,
    ]);
    const restored = await setting("acme", key);
    assert.deepEqual([restored.changed_by, restored.changed_at.toISOString()], [env.fx.users.msspAdmin, LONG_AGO]);
    await env.owner("delete from public.tenant_settings where key = $1", [key]);
  });
});

describe("assignee groups", () => {
  const group = async (id: string) =>
    (await env.owner<{ name: string; created_by: string | null; created_at: Date }>("select name, created_by, created_at from public.assignee_groups where id = $1", [id]))[0];

  test("a group made in someone else's name, back-dated, is the caller's, now; a rename keeps its maker", async () => {
    const [{ id }] = await env.as("acmeAdmin", async (tx) =>
      (await tx.client.query<{ id: string }>(
        "insert into public.assignee_groups (tenant_id, name, created_by, created_at, updated_at) values ($1, 'Forged', $2, $3, $3) returning id",
        [env.fx.tenants.acme, env.fx.users.msspAdmin, LONG_AGO],
      )).rows,
    );
    const made = await group(id);
    assert.equal(made.created_by, env.fx.users.acmeAdmin);
    assert.notEqual(made.created_at.toISOString(), LONG_AGO);

    await env.as("msspAdmin", (tx) =>
      tx.client.query("update public.assignee_groups set name = 'Renamed', created_by = $2, created_at = $3 where id = $1", [id, env.fx.users.msspAdmin, LONG_AGO]),
    );
    const renamed = await group(id);
    assert.deepEqual([renamed.name, renamed.created_by, renamed.created_at.getTime()], ["Renamed", env.fx.users.acmeAdmin, made.created_at.getTime()]);
    await env.owner("delete from public.assignee_groups where id = $1", [id]);
  });

  test("a person added in someone else's name, back-dated, is added by the caller, now", async () => {
    const { id } = await env.as("acmeAdmin", (tx) => createGroup(tx, env.fx.tenants.acme, "On call"));
    assert.equal((await group(id)).created_by, env.fx.users.acmeAdmin);
    await env.as("acmeAdmin", (tx) =>
      tx.client.query("insert into public.assignee_group_members (tenant_id, group_id, user_id, added_by, added_at) values ($1, $2, $3, $4, $5)", [
        env.fx.tenants.acme, id, env.fx.users.acmeAnalyst, env.fx.users.msspAdmin, LONG_AGO,
      ]),
    );
    const members = () =>
      env.owner<{ user_id: string; added_by: string | null; added_at: Date }>("select user_id, added_by, added_at from public.assignee_group_members where group_id = $1 order by added_at", [id]);
    const [forged] = await members();
    assert.equal(forged.added_by, env.fx.users.acmeAdmin);
    assert.notEqual(forged.added_at.toISOString(), LONG_AGO);

    // The portal's own path, by the MSSP's admin.
    await env.as("msspAdmin", (tx) => addGroupMember(tx, env.fx.tenants.acme, id, env.fx.users.acmeAdmin));
    const added = (await members()).find((m) => m.user_id === env.fx.users.acmeAdmin);
    assert.equal(added?.added_by, env.fx.users.msspAdmin);
    await env.as("msspAdmin", (tx) => renameGroup(tx, env.fx.tenants.acme, id, "On call (EU)"));
    assert.equal((await group(id)).created_by, env.fx.users.acmeAdmin);
    await env.owner("delete from public.assignee_groups where id = $1", [id]);
  });
});
