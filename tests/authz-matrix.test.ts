// The action matrix through the real PDP: every action × every role × (own
// tenant, child, parent, sibling, other MSSP), with principals built from the
// claims withTenant derives from a real Postgres. The expected answers are read
// from the table in docs/authorization.md, so the documentation cannot drift
// from what the policies enforce.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import pg from "pg";
import {
  ACTIONS,
  AuthorizationError,
  authorize,
  checkAction,
  checkActions,
  checkActionsForEach,
  permissions,
  principalFromClaims,
  requireAction,
  tenantResource,
  type Action,
  type Principal,
  type TenantResource,
} from "@/lib/authz";
import { useFixtureEnv } from "./helpers/fixture-env";
import { type TenantSlug, type UserName } from "./helpers/fixtures";
import { as } from "./helpers/sql";

const ROLES = ["mssp_admin", "mssp_analyst", "tenant_admin", "tenant_analyst", "tenant_viewer"] as const;
type Role = (typeof ROLES)[number];

/** The matrix table of docs/authorization.md: action → role → allowed. */
function matrixFromDocs(): Record<Action, Record<Role, boolean>> {
  const md = readFileSync(path.join(process.cwd(), "docs", "authorization.md"), "utf8");
  const section = md.split(/^## /m).find((s) => s.startsWith("The action matrix"));
  assert.ok(section, "docs/authorization.md has a section 'The action matrix'");
  const lines = section.split("\n").filter((l) => l.startsWith("|"));
  const header = lines[0].split("|").map((c) => c.trim());
  const column = Object.fromEntries(ROLES.map((r) => [r, header.indexOf(r)])) as Record<Role, number>;
  for (const r of ROLES) assert.ok(column[r] > 0, `matrix column ${r}`);
  const out = {} as Record<Action, Record<Role, boolean>>;
  for (const line of lines.slice(2)) {
    const cells = line.split("|").map((c) => c.trim());
    const action = cells[1].replace(/`/g, "") as Action;
    assert.ok(ACTIONS.includes(action), `docs matrix names an unknown action: ${action}`);
    out[action] = Object.fromEntries(
      ROLES.map((r) => {
        const cell = cells[column[r]];
        assert.ok(cell === "✓" || cell === "—", `cell ${action} × ${r} is "${cell}"`);
        return [r, cell === "✓"];
      }),
    ) as Record<Role, boolean>;
  }
  assert.deepEqual(Object.keys(out).sort(), [...ACTIONS].sort(), "the docs matrix has one row per action");
  return out;
}

const MATRIX = matrixFromDocs();

// Fixture tree (tests/helpers/fixtures.ts):
//   mssp-a ─┬─ acme ─┬─ acme-eu
//           │        └─ acme-us
//           └─ globex
//   mssp-b ─── other-co
type Relation = "own" | "child" | "grandchild" | "parent" | "sibling" | "other MSSP";
const CASES: { role: Role; user: UserName; relations: Partial<Record<Relation, TenantSlug>> }[] = [
  // An MSSP is a root: there is no parent; its sibling is the other MSSP.
  { role: "mssp_admin", user: "msspAdmin", relations: { own: "mssp-a", child: "acme", grandchild: "acme-eu", sibling: "mssp-b", "other MSSP": "other-co" } },
  { role: "mssp_analyst", user: "msspAnalyst", relations: { own: "mssp-a", child: "globex", grandchild: "acme-us", sibling: "mssp-b", "other MSSP": "other-co" } },
  { role: "tenant_admin", user: "acmeAdmin", relations: { own: "acme", child: "acme-eu", parent: "mssp-a", sibling: "globex", "other MSSP": "other-co" } },
  { role: "tenant_analyst", user: "acmeAnalyst", relations: { own: "acme", child: "acme-us", parent: "mssp-a", sibling: "globex", "other MSSP": "other-co" } },
  { role: "tenant_viewer", user: "acmeViewer", relations: { own: "acme", child: "acme-eu", parent: "mssp-a", sibling: "globex", "other MSSP": "other-co" } },
];
const INSIDE: Relation[] = ["own", "child", "grandchild"];

let owner: pg.Client;
const env = useFixtureEnv({ beforeDrop: () => owner?.end() });
const resources = {} as Record<TenantSlug, TenantResource>;

env.before(async () => {
  owner = new pg.Client({ connectionString: env.db.url });
  await owner.connect();
  // Loaded as the owner on purpose: the PDP must deny on its own, even for a
  // tenant that RLS would already have hidden from the caller.
  const { rows } = await owner.query<TenantResource>("select id, path::text as path, kind, status from public.tenants");
  for (const r of rows) resources[env.fx.slugOf(r.id)] = r;
});

/** The principal exactly as a request would build it: from withTenant's claims. */
function principalOf(user: UserName, active?: TenantSlug): Promise<Principal> {
  return env.as(user, async (tx) => principalFromClaims(tx.claims), active);
}

for (const { role, user, relations } of CASES) {
  describe(`${role} (${user})`, () => {
    for (const [relation, slug] of Object.entries(relations) as [Relation, TenantSlug][]) {
      const inside = INSIDE.includes(relation);
      test(`on ${relation} tenant (${slug}): ${inside ? "the matrix row" : "nothing"}`, async () => {
        const principal = await principalOf(user);
        const expected = Object.fromEntries(ACTIONS.map((a) => [a, inside && MATRIX[a][role]]));
        const single: Record<string, boolean> = {};
        for (const action of ACTIONS) single[action] = await checkAction(principal, action, resources[slug]);
        assert.deepEqual(single, expected, "checkAction, one call per action");
        assert.deepEqual(await checkActions(principal, ACTIONS, resources[slug]), expected, "checkActions, one batch");
      });
    }
    if (role.startsWith("mssp_")) test.skip("on parent tenant: not applicable, an MSSP is a root");
  });
}

test("principals come from the memberships table: claims carry exactly the user's memberships", async () => {
  const principal = await principalOf("twoCustomers");
  assert.equal(principal.id, env.fx.users.twoCustomers);
  assert.deepEqual(
    principal.memberships.map((m) => [env.fx.slugOf(m.tenant_id), m.path, m.role]).sort(),
    [
      ["acme", resources.acme.path, "tenant_viewer"],
      ["globex", resources.globex.path, "tenant_analyst"],
    ],
  );
  // Each membership counts in its own subtree only.
  assert.equal(await checkAction(principal, "alerts:triage", resources.acme), false);
  assert.equal(await checkAction(principal, "alerts:triage", resources.globex), true);
  assert.equal(await checkAction(principal, "alerts:read", resources["acme-eu"]), true);
  assert.equal(await checkAction(principal, "alerts:read", resources["mssp-a"]), false);
});

test("a user with no memberships is denied everything, everywhere", async () => {
  const principal = await principalOf("noMemberships");
  assert.deepEqual(principal.memberships, []);
  for (const slug of ["mssp-a", "acme", "acme-eu", "other-co"] as const) {
    const answers = await checkActions(principal, ACTIONS, resources[slug]);
    assert.ok(Object.values(answers).every((v) => v === false), `nothing on ${slug}`);
  }
});

test("a site admin has the admin row on its site and nothing on its customer or sibling site", async () => {
  const principal = await principalOf("acmeEuAdmin");
  const adminRow = Object.fromEntries(ACTIONS.map((a) => [a, MATRIX[a].tenant_admin]));
  assert.deepEqual(await checkActions(principal, ACTIONS, resources["acme-eu"]), adminRow);
  for (const slug of ["acme", "acme-us"] as const) {
    assert.ok(Object.values(await checkActions(principal, ACTIONS, resources[slug])).every((v) => !v), slug);
  }
});

test("requireAction resolves on allow and throws AuthorizationError on deny", async () => {
  const principal = await principalOf("acmeAnalyst");
  await requireAction(principal, "alerts:triage", resources.acme);
  await assert.rejects(requireAction(principal, "users:manage", resources.acme), (e: unknown) => {
    assert.ok(e instanceof AuthorizationError);
    assert.equal(e.action, "users:manage");
    assert.equal(e.tenantId, resources.acme.id);
    return true;
  });
  await assert.rejects(requireAction(principal, "alerts:read", resources.globex), AuthorizationError);
});

test("checkActionsForEach answers per tenant in one batch", async () => {
  const principal = await principalOf("msspAdmin");
  const all = Object.values(resources);
  const answers = await checkActionsForEach(principal, ["tenants:suspend", "alerts:read"], all);
  for (const r of all) {
    const mine = r.path === "mssp_a" || r.path.startsWith("mssp_a.");
    assert.deepEqual(answers.get(r.id), { "tenants:suspend": mine, "alerts:read": mine }, env.fx.slugOf(r.id));
  }
});

describe("inside a transaction: authorize() and permissions()", () => {
  test("a tenant RLS hides cannot even be named: tenantResource is null and authorize denies", async () => {
    await env.as("acmeAdmin", async (tx) => {
      assert.equal(await tenantResource(tx.db, env.fx.tenants.globex), null);
      assert.equal(await tenantResource(tx.db, "not-a-uuid"), null);
      assert.deepEqual(await tenantResource(tx.db, env.fx.tenants["acme-eu"]), resources["acme-eu"]);
      await assert.rejects(authorize(tx, "alerts:read", env.fx.tenants.globex), AuthorizationError);
      await assert.rejects(authorize(tx, "alerts:read", env.fx.tenants["mssp-a"]), AuthorizationError);
      assert.deepEqual(await authorize(tx, "users:manage", env.fx.tenants["acme-eu"]), resources["acme-eu"]);
      await assert.rejects(authorize(tx, "tenants:suspend", env.fx.tenants["acme-eu"]), AuthorizationError);
    });
  });

  test("the active tenant narrows: on acme-eu's host, acme-us cannot be acted on", async () => {
    await as(
      env.fx,
      "acmeAdmin",
      async (tx) => {
        await assert.rejects(authorize(tx, "settings:manage", env.fx.tenants["acme-us"]), AuthorizationError);
        await authorize(tx, "settings:manage", env.fx.tenants["acme-eu"]);
      },
      "acme-eu",
    );
  });

  test("permissions() gives a page the row of the matrix in one call, all false when invisible", async () => {
    await env.as("msspAnalyst", async (tx) => {
      const expected = Object.fromEntries(ACTIONS.map((a) => [a, MATRIX[a].mssp_analyst]));
      assert.deepEqual(await permissions(tx, ACTIONS, env.fx.tenants.globex), expected);
      const none = Object.fromEntries(ACTIONS.map((a) => [a, false]));
      assert.deepEqual(await permissions(tx, ACTIONS, env.fx.tenants["other-co"]), none);
    });
  });

  test("a revoked membership is denied in the very next transaction", async () => {
    const control = await env.as("acmeAnalyst", (tx) => permissions(tx, ["alerts:triage"], env.fx.tenants["acme-eu"]));
    assert.deepEqual(control, { "alerts:triage": true });
    await owner.query("delete from public.memberships where user_id = $1", [env.fx.users.acmeAnalyst]);
    const principal = await principalOf("acmeAnalyst");
    assert.deepEqual(principal.memberships, []);
    assert.equal(await checkAction(principal, "alerts:triage", resources["acme-eu"]), false);
  });
});
