// The server-action matrix's harness (docs in tests/actions-matrix.test.ts):
// each tests/actions-matrix-<area>.test.ts calls runActionMatrix(area) for its
// share of tests/helpers/action-specs.ts, so the areas run as separate files
// (in parallel, each on its own database and well within the runner's
// per-file timeout). AREAS is the one list saying which file runs which
// entry; tests/actions-matrix.test.ts checks that every action has an entry
// and every tenant entry exactly one area.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { auditMark, auditSince, changedTables, databaseState, ownerQuery, type AuditRow, type FormFields } from "./actions";
import { CONSOLE, documentedMatrix, hostOf, isTenantSpec, requestFor, ROLE_CASES, runAs, SPECS, type Env, type TenantActionSpec } from "./action-specs";
import type { Fixtures, TenantSlug, UserName } from "./fixtures";
import { startActionEnv, type ActionEnv } from "./action-env";
import type { TestDatabase } from "./test-database";

/** Which matrix file runs which action (by its file under lib/actions or app/). */
export const AREAS = {
  "credentials-keys": (id: string) => id.startsWith("lib/actions/credentials/") || id.startsWith("lib/actions/keys/"),
  lifecycle: (id: string) => id.startsWith("lib/actions/lifecycle/"),
  alerts: (id: string) => id.startsWith("lib/actions/alerts/"),
  "settings-team": (id: string) => id.startsWith("lib/actions/settings/") || id.startsWith("lib/actions/team/"),
  workflows: (id: string) => id.startsWith("lib/actions/workflows/"),
  groups: (id: string) => id.startsWith("lib/actions/groups/"),
  "api-keys": (id: string) => id.startsWith("lib/actions/api-keys/"),
  billing: (id: string) => id.startsWith("lib/actions/billing/"),
  domains: (id: string) => id.startsWith("lib/actions/domains/"),
  bulk: (id: string) => id.startsWith("lib/actions/bulk/") && !id.startsWith("lib/actions/bulk/control-"),
  "bulk-control": (id: string) => id.startsWith("lib/actions/bulk/control-"),
  reports: (id: string) => id.startsWith("lib/actions/reports/"),
  branding: (id: string) => id.startsWith("lib/actions/branding/"),
} as const;
export type Area = keyof typeof AREAS;

/** The tenant-guarded entries, each with the areas claiming it (exactly one, checked). */
export function tenantSpecAreas(): Map<string, Area[]> {
  return new Map(
    Object.entries(SPECS)
      .filter(([, s]) => isTenantSpec(s))
      .map(([id]) => [id, (Object.keys(AREAS) as Area[]).filter((a) => AREAS[a](id))]),
  );
}

export interface MatrixOptions {
  /** Runs once after the fixtures are in, before any case (e.g. raise a per-tenant limit the area's cases would pass). */
  setup?(env: Env): Promise<void>;
}

export function runActionMatrix(area: Area, opts: MatrixOptions = {}) {
  let db: TestDatabase;
  let fx: Fixtures;
  let env: Env;
  let running: ActionEnv | undefined;
  const MATRIX = documentedMatrix();
  const DENIED = "You don't have permission to do that here.";
  const FAILED = /Something went wrong/;

  before(async () => {
    // MSSP roles must have two-step verification on before any action (lib/auth/session.ts);
    // the vendors of "Test connection" are stood in for on loopback (lib/credentials/verify.ts).
    running = await startActionEnv({ vendorStub: true, mfa: ["msspAdmin", "msspAnalyst", "msspBAdmin"], signedIn: "all" });
    ({ db, fx, env } = running);
    await opts.setup?.(env);
  });

  after(async () => {
    await running?.stop();
  });

  type Result = { ok: boolean; error?: string; fieldErrors?: Record<string, string[]> };

  /** Runs the call and returns its result, what changed, and the audit rows it wrote. */
  async function observe(call: () => Promise<unknown>) {
    const before = await databaseState(db.url);
    const mark = await auditMark(db.url);
    const result = (await call()) as Result;
    const changed = changedTables(before, await databaseState(db.url));
    return { result, changed, audit: await auditSince(db.url, mark) };
  }

  /** Is tenant `id` `home` or below it (visible to a role held on `home`)? */
  async function within(id: string, home: TenantSlug): Promise<boolean> {
    const [row] = await ownerQuery<{ inside: boolean }>(db.url, "select t.path operator(extensions.<@) h.path as inside from public.tenants t, public.tenants h where t.id = $1 and h.id = $2", [id, fx.tenants[home]]);
    return row?.inside ?? false;
  }

  function assertDenied(audit: AuditRow[], expect: { action: string; actor: string; tenant: string; requested: string; reason?: string }) {
    assert.equal(audit.length, 1, `one denied audit row, got ${JSON.stringify(audit)}`);
    const [row] = audit;
    assert.deepEqual(
      { outcome: row.outcome, action: row.action, actor: row.actor_id, tenant: row.tenant_id, requested: row.details.requested_tenant_id },
      { outcome: "denied", action: expect.action, actor: expect.actor, tenant: expect.tenant, requested: expect.requested },
    );
    if (expect.reason) assert.equal(row.details.reason, expect.reason);
  }

  const entries = Object.entries(SPECS).filter(([id, s]) => isTenantSpec(s) && AREAS[area](id)) as [string, TenantActionSpec][];
  assert.ok(entries.length > 0, `no actions in area ${area}`);
  for (const [id, spec] of entries) {
    const allowedRoles = MATRIX[spec.pdp];
    describe(id, () => {
      test("signed out: refused, nothing changed, nothing audited", async () => {
        const form = await spec.valid(env, "acme");
        const { result, changed, audit } = await observe(() => runAs(env, id, { person: null, host: hostOf("acme") }, form));
        assert.deepEqual(result, { ok: false, error: "Your session has ended. Sign in again; nothing was changed." });
        assert.deepEqual(changed, []);
        assert.deepEqual(audit, []);
      });

      for (const c of ROLE_CASES) {
        const allowed = c.role !== null && allowedRoles.has(c.role);
        test(`${c.label}: ${allowed ? "allowed (positive control)" : "refused"}`, async () => {
          const form = await spec.valid(env, c.home);
          const { result, changed, audit } = await observe(() => runAs(env, id, requestFor(env, c), form));
          if (allowed) {
            assert.equal(result.ok, true, `expected success, got ${JSON.stringify(result)}`);
            const success = audit.filter((r) => r.action === spec.audit && r.outcome === "success");
            assert.equal(success.length, 1, `one success audit row, got ${JSON.stringify(audit)}`);
            assert.equal(success[0].actor_id, fx.users[c.user]);
            return;
          }
          assert.deepEqual(result, { ok: false, error: DENIED });
          assert.deepEqual(changed, []);
          // Kept on the target when the caller can see it, else on their own tenant; a
          // person with no role anywhere (on the console) on the tenant they asked about.
          const requested = String(form.tenantId);
          const tenant = c.role === null || (await within(requested, c.home)) ? requested : fx.tenants[c.home];
          assertDenied(audit, { action: spec.audit, actor: fx.users[c.user], tenant, requested, reason: "pdp_deny" });
        });
      }

      const foreign: [UserName, string, "acme" | "mssp-a", TenantSlug][] = [
        ["acmeAdmin", hostOf("acme"), "acme", "globex"],
        ["acmeAdmin", hostOf("acme"), "acme", "other-co"],
        ["msspAdmin", CONSOLE, "mssp-a", "other-co"],
        ["msspAdmin", CONSOLE, "mssp-a", "mssp-b"],
      ];
      for (const [user, host, home, other] of foreign) {
        test(`${user} naming ${other}'s tenant id: refused, nothing changed, denied row`, async () => {
          const form: FormFields = { ...(await spec.valid(env, home)), tenantId: fx.tenants[other] };
          const { result, changed, audit } = await observe(() => runAs(env, id, { person: env.person(user), host }, form));
          assert.deepEqual(result, { ok: false, error: DENIED });
          assert.deepEqual(changed, []);
          assertDenied(audit, { action: spec.audit, actor: fx.users[user], tenant: fx.tenants[home], requested: fx.tenants[other], reason: "pdp_deny" });
        });
      }

      test("acme's admin on globex's host: refused, nothing changed, denied row", async () => {
        const form = await spec.valid(env, "acme");
        const { result, changed, audit } = await observe(() => runAs(env, id, { person: env.person("acmeAdmin"), host: hostOf("globex") }, form));
        assert.deepEqual(result, { ok: false, error: DENIED });
        assert.deepEqual(changed, []);
        assert.equal(audit.length, 1, JSON.stringify(audit));
        assert.deepEqual([audit[0].outcome, audit[0].action, audit[0].actor_id], ["denied", spec.audit, fx.users.acmeAdmin]);
      });

      if (spec.foreignObject) {
        const foreignObject = spec.foreignObject;
        const actors = ROLE_CASES.filter((c) => c.role !== null && allowedRoles.has(c.role));
        for (const c of actors) {
          test(`${c.label}, own tenant but another customer's object: refused, nothing changed, denied row`, async () => {
            const form = await foreignObject(env, c.home);
            const { result, changed, audit } = await observe(() => runAs(env, id, requestFor(env, c), form));
            assert.equal(result.ok, false, `expected a refusal, got ${JSON.stringify(result)}`);
            assert.doesNotMatch(result.error ?? "", FAILED, "a clear refusal, not the generic failure");
            assert.ok((result.error ?? "").length > 0);
            assert.deepEqual(changed, []);
            assert.equal(audit.length, 1, `one denied row, got ${JSON.stringify(audit)}`);
            assert.deepEqual([audit[0].outcome, audit[0].action, audit[0].actor_id], ["denied", spec.audit, fx.users[c.user]]);
          });
        }
      }

      test("malformed forms: field messages, nothing changed, nothing audited", async () => {
        for (const form of spec.malformed(env)) {
          const { result, changed, audit } = await observe(() => runAs(env, id, { person: env.person("msspAdmin"), host: CONSOLE }, form));
          assert.equal(result.ok, false, `accepted ${JSON.stringify(form).slice(0, 200)}`);
          assert.equal(result.error, "Check the highlighted fields.", `for ${JSON.stringify(form).slice(0, 200)}: ${JSON.stringify(result)}`);
          assert.ok(result.fieldErrors && Object.keys(result.fieldErrors).length > 0);
          assert.deepEqual(changed, []);
          assert.deepEqual(audit, []);
        }
      });
    });
  }
}
