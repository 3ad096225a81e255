// The API keys panel and a tenant's assignee groups name people the caller
// cannot see by name (RLS on users) as the alert pages do: "MSSP staff" only
// for MSSP staff covering the tenant, "staff of a parent tenant" for an admin
// above, "a former member" for someone with no membership covering it (both
// read "MSSP staff" before). tenancy.people_standing_in answers only for a
// tenant the caller can see, and only about the people its keys and groups
// reference (migration 20261201030000).
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { loadApiKeysPage } from "@/lib/api/keys/page-data";
import { listOwnGroups, removeGroupMember } from "@/lib/groups";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();

async function key(tenant: string, name: string, createdBy: string | null, revokedBy: string | null = null): Promise<void> {
  await env.owner(
    `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at, created_by, revoked_at, revoked_by)
     values ($1, $2, $3, $4, array['alerts:read'], now() + interval '30 days', $5, case when $6::uuid is null then null else now() end, $6)`,
    [tenant, randomUUID(), name, randomBytes(32), createdBy, revokedBy],
  );
}

describe("people a tenant's admin cannot see are named by what they are there", () => {
  test("API keys: MSSP staff, an admin above, a former member, a deleted account", async () => {
    const site = env.fx.tenants["acme-eu"];
    const [former] = await env.owner<{ id: string }>(`insert into public.users (email, name, password_hash) values ('left@example.test', 'Left', 'x') returning id`);
    await key(site, "by the MSSP", env.fx.users.msspAdmin, env.fx.users.msspAnalyst);
    await key(site, "by the customer admin", env.fx.users.acmeAdmin);
    await key(site, "by someone who left", former.id);
    await key(site, "by the site admin", env.fx.users.acmeEuAdmin);
    await key(site, "by a deleted account", null);
    const page = await env.as("acmeEuAdmin", (tx) => loadApiKeysPage(tx, "acme-eu", site), "acme-eu");
    const by = Object.fromEntries(page!.keys.map((k) => [k.name, [k.createdBy, k.revokedBy]]));
    assert.deepEqual(by["by the MSSP"], ["MSSP staff", "MSSP staff"]);
    assert.deepEqual(by["by the customer admin"], ["staff of a parent tenant", null]);
    assert.deepEqual(by["by someone who left"], ["a former member", null]);
    assert.match(String(by["by the site admin"][0]), /@/, "a visible person keeps their email");
    assert.deepEqual(by["by a deleted account"], [null, null]);
    // The MSSP's admin sees every current member by email; someone with no membership left is hidden from everyone.
    const console = await env.as("msspAdmin", (tx) => loadApiKeysPage(tx, "acme-eu", null));
    const members = console!.keys.filter((k) => !["by a deleted account", "by someone who left"].includes(k.name));
    assert.ok(members.every((k) => k.createdBy?.includes("@")));
    assert.equal(console!.keys.find((k) => k.name === "by someone who left")?.createdBy, "a former member");
  });

  test("groups: a site's group holding MSSP staff and the customer's admin; removing one names them the same way", async () => {
    const site = env.fx.tenants["acme-eu"];
    const [g] = await env.owner<{ id: string }>(`insert into public.assignee_groups (tenant_id, name) values ($1, 'Night shift') returning id`, [site]);
    for (const u of [env.fx.users.msspAnalyst, env.fx.users.acmeAdmin, env.fx.users.acmeEuAdmin]) {
      await env.owner(`insert into public.assignee_group_members (tenant_id, group_id, user_id) values ($1, $2, $3)`, [site, g.id, u]);
    }
    const groups = await env.as("acmeEuAdmin", (tx) => listOwnGroups(tx, site), "acme-eu");
    const names = new Map(groups.find((x) => x.id === g.id)!.members.map((m) => [m.userId, m.name] as const));
    assert.equal(names.get(env.fx.users.msspAnalyst), "MSSP staff");
    assert.equal(names.get(env.fx.users.acmeAdmin), "staff of a parent tenant");
    const removed = await env.as("acmeEuAdmin", (tx) => removeGroupMember(tx, site, g.id, env.fx.users.msspAnalyst), "acme-eu");
    assert.equal(removed.person, "MSSP staff");
  });

  test("tenancy.people_standing_in answers nothing about a tenant the caller cannot see", async () => {
    const site = env.fx.tenants["acme-eu"];
    await key(site, "seen by nobody else", env.fx.users.msspAdmin);
    for (const user of ["otherCoAdmin", "globexAdmin", "acmeUsAdmin"] as const) {
      const rows = await env.as(user, async (tx) => (await tx.client.query("select * from tenancy.people_standing_in($1)", [site])).rows);
      assert.deepEqual(rows, [], `${user} learns nothing of acme-eu's people`);
    }
    const own = await env.as("acmeEuAdmin", async (tx) => (await tx.client.query("select * from tenancy.people_standing_in($1)", [site])).rows);
    assert.ok(own.length > 0);
  });

  test("the internal per-person rule is not executable by a signed-in caller (no id of the caller's choosing)", async () => {
    await assert.rejects(
      env.as("acmeEuAdmin", (tx) => tx.client.query("select tenancy.standing_at($1, $2)", [env.fx.tenants["acme-eu"], env.fx.users.msspBAdmin])),
      /permission denied/,
    );
  });
});
