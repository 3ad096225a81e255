// At most GROUPS_PER_TENANT (50) assignee groups per tenant: a tenant's groups
// are read with its ancestors' on every alert page below it
// (workflows.groups_for), so their number is bounded. The 51st is refused by
// the server action (as the browser posts it, with the form's message) and,
// in plain SQL as the tenant's admin or as the owner, by the database's
// trigger (migration 20261201031310, SQLSTATE 54000, hint group_limit). The
// service role (an archive restore) writes groups back as they were; another
// tenant, a site below included, keeps its own room.
import { callAction, loadAction, sessionCookie, auditMark, auditSince } from "./helpers/actions";
import assert from "node:assert/strict";
import { test } from "node:test";
import { GROUP_LIMIT, GROUPS_PER_TENANT } from "@/lib/groups/store";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug, UserName } from "./helpers/fixtures";

const env = useFixtureEnv();
const CREATE = "lib/actions/groups/create-group.ts#createGroup";

env.before(async () => {
  await sessionCookie(env.person("acmeAdmin"));
});

type Result = { ok: boolean; error?: string; data?: { id?: string } };
const create = async (user: UserName, slug: TenantSlug, name: string) =>
  (await callAction(await loadAction(CREATE), { person: env.person(user), host: `${slug}.localhost:3000` }, { tenantId: env.fx.tenants[slug], name })) as Result;
const groupCount = async (slug: TenantSlug) =>
  (await env.owner<{ n: number }>("select count(*)::int as n from public.assignee_groups where tenant_id = $1", [env.fx.tenants[slug]]))[0].n;
const refusedByTrigger = (e: { code?: string; hint?: string; message?: string }) =>
  e.code === "54000" && e.hint === "group_limit" && /already has 50 assignee groups/.test(e.message ?? "");

test(`the ${GROUPS_PER_TENANT}th group is created; the next is refused by the action and by the database; other tenants keep their room`, async () => {
  assert.equal(GROUPS_PER_TENANT, 50);
  await env.owner("insert into public.assignee_groups (tenant_id, name) select $1, 'filler ' || g from generate_series(1, $2::int) g", [
    env.fx.tenants.acme,
    GROUPS_PER_TENANT - 1 - (await groupCount("acme")),
  ]);
  const last = await create("acmeAdmin", "acme", "Tier 1 SOC");
  assert.equal(last.ok, true, last.error);
  assert.equal(await groupCount("acme"), GROUPS_PER_TENANT);

  // Through the action: the form's message, nothing stored, a denied audit row.
  const mark = await auditMark(env.db.url);
  const refused = await create("acmeAdmin", "acme", "One more");
  assert.equal(refused.ok, false);
  assert.equal(refused.error, GROUP_LIMIT);
  assert.equal(refused.error, "This tenant already has 50 groups, the most it may have. Delete one it no longer needs first; nothing was changed.");
  assert.equal(await groupCount("acme"), GROUPS_PER_TENANT);
  const audited = await auditSince(env.db.url, mark);
  assert.ok(audited.some((r) => r.action === "groups:create" && r.outcome === "denied"), JSON.stringify(audited));

  // Plain SQL as the tenant's admin (role authenticated, RLS allows the insert): the trigger refuses it.
  await assert.rejects(
    env.as("acmeAdmin", (tx) => tx.client.query("insert into public.assignee_groups (tenant_id, name) values ($1, 'direct')", [env.fx.tenants.acme]), "acme"),
    refusedByTrigger,
  );
  // The owner too: the database holds the limit, not the form.
  await assert.rejects(env.owner("insert into public.assignee_groups (tenant_id, name) values ($1, 'owner')", [env.fx.tenants.acme]), refusedByTrigger);
  assert.equal(await groupCount("acme"), GROUPS_PER_TENANT);

  // The service role (a restore writes a tenant's groups back as they were) is let through: its insert
  // succeeds (a refusal, 54000, would escape the handler), then is rolled back with the role.
  await env.owner(`do $$ begin
      set local role service_role;
      insert into public.assignee_groups (tenant_id, name) values ('${env.fx.tenants.acme}', 'restored');
      raise exception 'roll back' using errcode = 'P0001';
    exception when sqlstate 'P0001' then null;
    end $$`);

  // A site below acme, and another customer, keep their own room.
  await env.owner("insert into public.assignee_groups (tenant_id, name) values ($1, 'site group'), ($2, 'globex group')", [env.fx.tenants["acme-eu"], env.fx.tenants.globex]);
});
