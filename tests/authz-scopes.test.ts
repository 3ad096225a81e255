// Scoped policies along the tenant path, through the real PDP: a tenant may
// tighten what its parent allows and can never loosen it.
//
// The tree mirrors the demo (slugs, hence paths and Cerbos scopes, are the
// demo's), so policies/tenant.sentinel.globex.yaml applies to it:
//   sentinel (mssp) ─┬─ acme ─── acme-eu-west
//                    ├─ globex ── globex-hq
//                    └─ initech
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { checkAction, checkActions, principalFromClaims, type Action, type Principal, type TenantResource } from "@/lib/authz";
import { withTenant } from "@/lib/db/with-tenant";
import { compilePolicies, ensureCerbos, startCerbos, type CerbosServer } from "@/scripts/lib/cerbos";
import { copyPoliciesWith, type PolicyCopy } from "./helpers/scoped-pdp";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const TREE = [
  { slug: "sentinel", kind: "mssp", parent: null },
  { slug: "acme", kind: "customer", parent: "sentinel" },
  { slug: "acme-eu-west", kind: "site", parent: "acme" },
  { slug: "globex", kind: "customer", parent: "sentinel" },
  { slug: "globex-hq", kind: "site", parent: "globex" },
  { slug: "initech", kind: "customer", parent: "sentinel" },
] as const;
type Slug = (typeof TREE)[number]["slug"];

const USERS = {
  msspAnalyst: ["sentinel", "mssp_analyst"],
  acmeAnalyst: ["acme", "tenant_analyst"],
  globexAdmin: ["globex", "tenant_admin"],
  globexAnalyst: ["globex", "tenant_analyst"],
  globexViewer: ["globex", "tenant_viewer"],
  initechAnalyst: ["initech", "tenant_analyst"],
  initechViewer: ["initech", "tenant_viewer"],
} as const satisfies Record<string, [Slug, string]>;
type User = keyof typeof USERS;

let db: TestDatabase;
let pdp: CerbosServer;
const tenant = {} as Record<Slug, TenantResource>;
const userId = {} as Record<User, string>;

before(async () => {
  pdp = await ensureCerbos();
  process.env.CERBOS_URL = pdp.url;
  db = await createTestDatabase();
  await withClient(db.url, async (c) => {
    const ids = {} as Record<Slug, string>;
    for (const t of TREE) {
      const { rows } = await c.query<TenantResource>(
        `insert into public.tenants (parent_id, slug, name, kind) values ($1, $2, $2, $3)
         returning id, path::text as path, kind, status`,
        [t.parent ? ids[t.parent] : null, t.slug, t.kind],
      );
      ids[t.slug] = rows[0].id;
      tenant[t.slug] = rows[0];
    }
    for (const [name, [slug, role]] of Object.entries(USERS) as [User, [Slug, string]][]) {
      const { rows } = await c.query<{ id: string }>(
        "insert into public.users (email, name) values ($1, $2) returning id",
        [`${name.toLowerCase()}@scopes.test`, name],
      );
      userId[name] = rows[0].id;
      await c.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, $3)", [ids[slug], rows[0].id, role]);
    }
  });
  assert.equal(tenant["globex-hq"].path, "sentinel.globex.globex_hq", "the Cerbos scope is the ltree path");
});
after(async () => {
  await db?.drop();
  await pdp?.stop();
});

function principalOf(user: User): Promise<Principal> {
  return withTenant({ userId: userId[user] }, async (tx) => principalFromClaims(tx.claims));
}

async function allowed(user: User, action: Action, slug: Slug): Promise<boolean> {
  return checkAction(await principalOf(user), action, tenant[slug]);
}

describe("Globex tightens: its tenant analysts may not export reports", () => {
  test("on Globex, and on its sites through lenient scope search", async () => {
    for (const slug of ["globex", "globex-hq"] as const) {
      assert.deepEqual(
        await checkActions(await principalOf("globexAnalyst"), ["alerts:read", "alerts:triage", "reports:export"], tenant[slug]),
        { "alerts:read": true, "alerts:triage": true, "reports:export": false },
        slug,
      );
    }
  });

  test("Globex admins and the MSSP's analysts still export there", async () => {
    for (const slug of ["globex", "globex-hq"] as const) {
      assert.equal(await allowed("globexAdmin", "reports:export", slug), true, `globexAdmin on ${slug}`);
      assert.equal(await allowed("msspAnalyst", "reports:export", slug), true, `msspAnalyst on ${slug}`);
    }
  });

  test("nothing changes outside Globex's subtree", async () => {
    assert.equal(await allowed("acmeAnalyst", "reports:export", "acme"), true);
    assert.equal(await allowed("acmeAnalyst", "reports:export", "acme-eu-west"), true);
    assert.equal(await allowed("initechAnalyst", "reports:export", "initech"), true);
    assert.equal(await allowed("msspAnalyst", "reports:export", "sentinel"), true);
  });

  test("a scoped policy grants nothing new: a Globex viewer still cannot triage", async () => {
    assert.equal(await allowed("globexViewer", "alerts:read", "globex-hq"), true);
    assert.equal(await allowed("globexViewer", "alerts:triage", "globex-hq"), false);
  });
});

describe("a scoped policy that tries to loosen has no effect", () => {
  // What a careless or malicious edit could add for Initech: allow what the
  // base policy denies (viewers triaging, analysts administering), and re-allow
  // something the base allows anyway.
  const loosening = (withConsent: boolean) => `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  version: default
  resource: tenant
  scope: sentinel.initech
${withConsent ? "  scopePermissions: SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS\n" : ""}  importDerivedRoles: [tenant_roles]
  rules:
    - actions: ["alerts:triage", "reports:export", "alerts:read"]
      effect: EFFECT_ALLOW
      derivedRoles: [tenant_viewer]
    - actions: ["users:manage", "tenants:suspend", "tenants:provision"]
      effect: EFFECT_ALLOW
      derivedRoles: [tenant_analyst]
`;
  const suite = `name: LooseningAttempt
options:
  lenientScopeSearch: true
principals:
  initech_viewer:
    id: u-initech-viewer
    roles: [authenticated]
    attr: { memberships: [{ tenant_id: t-initech, path: sentinel.initech, role: tenant_viewer }] }
  initech_analyst:
    id: u-initech-analyst
    roles: [authenticated]
    attr: { memberships: [{ tenant_id: t-initech, path: sentinel.initech, role: tenant_analyst }] }
tests:
  - name: a child scope cannot allow what the base policy denies
    input:
      principals: [initech_viewer, initech_analyst]
      resources: [initech]
      actions: [alerts:read, alerts:triage, reports:export, users:manage, tenants:suspend, tenants:provision]
    expected:
      - principal: initech_viewer
        resource: initech
        actions:
          alerts:read: EFFECT_ALLOW
          alerts:triage: EFFECT_DENY
          reports:export: EFFECT_DENY
          users:manage: EFFECT_DENY
          tenants:suspend: EFFECT_DENY
          tenants:provision: EFFECT_DENY
      - principal: initech_analyst
        resource: initech
        actions:
          alerts:read: EFFECT_ALLOW
          alerts:triage: EFFECT_ALLOW
          reports:export: EFFECT_ALLOW
          users:manage: EFFECT_DENY
          tenants:suspend: EFFECT_DENY
          tenants:provision: EFFECT_DENY
`;

  /** policies/ plus the loosening policy (and its test suite), in a temporary directory. */
  const composedPolicies = (withConsent: boolean) =>
    copyPoliciesWith({ "tenant.sentinel.initech.yaml": loosening(withConsent), "tests/loosening_test.yaml": suite });

  let policies: PolicyCopy;
  let loosened: CerbosServer;
  before(async () => {
    policies = await composedPolicies(true);
    loosened = await startCerbos({ policyDir: policies.dir });
  });
  after(async () => {
    await loosened?.stop();
    await policies?.remove();
  });

  test("cerbos compile: the policy is accepted, and its test suite proves it inert", () => {
    const { code, output } = compilePolicies(policies.dir, { quiet: true });
    assert.equal(code, 0, output);
    assert.match(output, /LooseningAttempt/);
  });

  test("the running PDP with that policy loaded still denies", async () => {
    const viewer = await principalOf("initechViewer");
    const analyst = await principalOf("initechAnalyst");
    const asked: Action[] = ["alerts:read", "alerts:triage", "reports:export", "users:manage", "tenants:suspend", "tenants:provision"];
    const saved = process.env.CERBOS_URL;
    process.env.CERBOS_URL = loosened.url;
    try {
      assert.deepEqual(await checkActions(viewer, asked, tenant.initech), {
        "alerts:read": true,
        "alerts:triage": false,
        "reports:export": false,
        "users:manage": false,
        "tenants:suspend": false,
        "tenants:provision": false,
      });
      assert.deepEqual(await checkActions(analyst, asked, tenant.initech), {
        "alerts:read": true,
        "alerts:triage": true,
        "reports:export": true,
        "users:manage": false,
        "tenants:suspend": false,
        "tenants:provision": false,
      });
    } finally {
      process.env.CERBOS_URL = saved;
    }
  });

  test("control: without parental consent the same policy would loosen (why authz-policies.test.ts forbids that)", async () => {
    const overridden = await composedPolicies(false);
    const override = await startCerbos({ policyDir: overridden.dir });
    const saved = process.env.CERBOS_URL;
    process.env.CERBOS_URL = override.url;
    try {
      assert.equal(await checkAction(await principalOf("initechViewer"), "alerts:triage", tenant.initech), true);
      assert.notEqual(compilePolicies(overridden.dir, { quiet: true }).code, 0, "and its test suite fails");
    } finally {
      process.env.CERBOS_URL = saved;
      await override.stop();
      await overridden.remove();
    }
  });
});
