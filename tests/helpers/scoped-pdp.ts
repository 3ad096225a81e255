// A real PDP over the repository's policies plus a tenant's own scoped policy
// that takes actions away, for tests that must see the portal honour a denial
// the base policy would not give (a page's 403, a bulk run's skip, a key's
// scopes capped by its creator's). Without it each such test wrote the same
// YAML, the same chain of empty ancestor policies and the same clean-up.
//
// What is written mirrors how a tenant tightens in production
// (policies/tenant.sentinel.globex.yaml): a policy whose scope is the tenant's
// ltree path, with parental consent, so that it can only narrow. The paths are
// read from the database, because its trigger derives them from the slugs (and
// insertFixtures' prefix); spelling them out here would drift.
import assert from "node:assert/strict";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Action } from "@/lib/authz";
import { compilePolicies, POLICY_DIR, startCerbos } from "@/scripts/lib/cerbos";
import type { Fixtures, TenantSlug } from "./fixtures";
import { withClient } from "./test-database";

/** The roles of policies/derived_roles.yaml (tenant_roles), which a scoped policy imports. */
export type DerivedRole = "mssp_admin" | "mssp_analyst" | "tenant_admin" | "tenant_analyst" | "tenant_viewer" | "api_key";

/** One EFFECT_DENY rule in `tenant`'s own policy. */
export interface ScopedDeny {
  tenant: TenantSlug;
  /** The rule's name; it says why in Cerbos's output when compiling fails. */
  name: string;
  actions: Action[];
  derivedRoles: DerivedRole[];
}

export interface ScopedPdp {
  /** Base URL of the PDP; the caller decides when CERBOS_URL points at it. */
  url: string;
  /** Stops the PDP and removes its policy folder. */
  stop(): Promise<void>;
}

export interface PolicyCopy {
  dir: string;
  remove(): Promise<void>;
}

/**
 * policies/ copied into a temporary folder with `files` (path relative to it
 * → content) added. A file that is already there is an error rather than
 * overwritten: silently replacing a repository policy would change what the
 * test believes it runs against.
 */
export async function copyPoliciesWith(files: Record<string, string>): Promise<PolicyCopy> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "policies-"));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await cp(POLICY_DIR, dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content, { flag: "wx" });
  } catch (error) {
    await remove();
    throw error;
  }
  return { dir, remove };
}

/**
 * The scoped resource policy for kind tenant at `scope`. Values are written as
 * JSON strings and arrays, which YAML reads as they are (a name or action with
 * a colon needs quoting anyway).
 */
function scopedPolicy(scope: string, denies: ScopedDeny[]): string {
  const rules = denies.map(
    (d) =>
      `\n    - name: ${JSON.stringify(d.name)}\n      actions: ${JSON.stringify(d.actions)}\n      effect: EFFECT_DENY\n      derivedRoles: ${JSON.stringify(d.derivedRoles)}`,
  );
  return [
    "apiVersion: api.cerbos.dev/v1",
    "resourcePolicy:",
    "  version: default",
    "  resource: tenant",
    `  scope: ${JSON.stringify(scope)}`,
    "  scopePermissions: SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS",
    "  importDerivedRoles: [tenant_roles]",
    `  rules:${rules.length ? rules.join("") : " []"}`,
    "",
  ].join("\n");
}

/** Each tenant's ltree path (the Cerbos scope), by slug. */
async function tenantPaths(dbUrl: string, fx: Pick<Fixtures, "tenants">, slugs: TenantSlug[]): Promise<Map<TenantSlug, string>> {
  const ids = slugs.map((slug) => fx.tenants[slug]);
  const { rows } = await withClient(dbUrl, (c) =>
    c.query<{ id: string; path: string }>("select id::text, path::text from public.tenants where id = any($1::uuid[])", [ids]),
  );
  const byId = new Map(rows.map((r) => [r.id, r.path]));
  return new Map(
    slugs.map((slug) => {
      const found = byId.get(fx.tenants[slug]);
      if (!found) throw new Error(`no tenant row for ${slug}`);
      return [slug, found];
    }),
  );
}

/**
 * The policy files for `denies`: one per denying tenant, and an empty one for
 * every ancestor scope that has none, since Cerbos refuses a scope whose
 * parent scope has no policy.
 */
function scopedPolicyFiles(denies: ScopedDeny[], paths: Map<TenantSlug, string>): Record<string, string> {
  const byScope = new Map<string, ScopedDeny[]>();
  for (const d of denies) {
    const scope = paths.get(d.tenant)!;
    const parts = scope.split(".");
    for (let i = 1; i < parts.length; i++) {
      const ancestor = parts.slice(0, i).join(".");
      if (!byScope.has(ancestor)) byScope.set(ancestor, []);
    }
    byScope.set(scope, [...(byScope.get(scope) ?? []), d]);
  }
  return Object.fromEntries([...byScope].map(([scope, rules]) => [`tenant.${scope}.yaml`, scopedPolicy(scope, rules)]));
}

/**
 * Starts a PDP whose policies are the repository's plus `denies`, after
 * `cerbos compile` accepted them (and their test suites still pass). It leaves
 * CERBOS_URL alone: some tests start the stock PDP with ensureCerbos(), which
 * reads CERBOS_URL, and switch between the two.
 */
export async function startScopedPdp(dbUrl: string, fx: Pick<Fixtures, "tenants">, opts: { denies: ScopedDeny[] }): Promise<ScopedPdp> {
  assert.ok(opts.denies.length > 0, "a scoped PDP without a deny is the stock one: use ensureCerbos()");
  const paths = await tenantPaths(dbUrl, fx, opts.denies.map((d) => d.tenant));
  const policies = await copyPoliciesWith(scopedPolicyFiles(opts.denies, paths));
  try {
    const compiled = compilePolicies(policies.dir, { quiet: true });
    assert.equal(compiled.code, 0, compiled.output);
    const pdp = await startCerbos({ policyDir: policies.dir });
    return {
      url: pdp.url,
      stop: async () => {
        await pdp.stop();
        await policies.remove();
      },
    };
  } catch (error) {
    await policies.remove();
    throw error;
  }
}
