// The server actions that are not tenantAction (tests/helpers/action-specs.ts
// guard "self", "invitee", "public"): the signed-in person's own two-step
// verification, the invitation link's actions, password reset. Called
// directly like tests/actions-matrix.test.ts does:
//   - malformed forms, signed out and signed in: a clear refusal (never the
//     generic failure), nothing changed, nothing audited;
//   - the MFA actions act on the session's person only: signed out they
//     refuse, and a userId smuggled into the form is ignored.
import { auditMark, auditSince, changedTables, databaseState, ownerQuery } from "./helpers/actions";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startActionEnv, type ActionEnv } from "./helpers/action-env";
import { hostOf, isTenantSpec, runAs, SPECS, type Env } from "./helpers/action-specs";
import type { Fixtures } from "./helpers/fixtures";
import type { TestDatabase } from "./helpers/test-database";
import { hashPassword } from "@/lib/auth/password";

const PASSWORD = "correct horse battery staple";

let db: TestDatabase;
let fx: Fixtures;
let env: Env;
let running: ActionEnv | undefined;

before(async () => {
  running = await startActionEnv({ mfa: [], signedIn: ["acmeViewer", "acmeAnalyst"] });
  ({ db, fx, env } = running);
});

after(async () => {
  await running?.stop();
});

type Answer = { ok?: boolean; status?: string; error?: string };
const refused = (r: Answer) => r.ok === false || r.status === "error";

for (const [id, spec] of Object.entries(SPECS).filter(([, s]) => !isTenantSpec(s))) {
  describe(id, () => {
    for (const who of ["signed out", "acmeViewer"] as const) {
      test(`malformed forms, ${who}: a clear refusal, nothing changed, nothing audited`, async () => {
        const as = { person: who === "signed out" ? null : env.person(who), host: hostOf("acme") };
        for (const form of spec.malformed(env)) {
          const before = await databaseState(db.url);
          const mark = await auditMark(db.url);
          const result = (await runAs(env, id, as, form)) as Answer;
          assert.ok(refused(result), `accepted ${JSON.stringify(form).slice(0, 120)}: ${JSON.stringify(result)}`);
          assert.ok((result.error ?? "").length > 0, "says why");
          assert.doesNotMatch(result.error ?? "", /Something went wrong/);
          assert.deepEqual(changedTables(before, await databaseState(db.url)), []);
          assert.deepEqual(await auditSince(db.url, mark), []);
        }
      });
    }
  });
}

describe("the person's own two-step verification", () => {
  const START = "lib/actions/account/mfa.ts#startEnrolmentAction";

  test("signed out: every MFA action refuses, nothing changed", async () => {
    const ids = Object.keys(SPECS).filter((k) => k.startsWith("lib/actions/account/mfa.ts#"));
    assert.equal(ids.length, 7, ids.join());
    for (const id of ids) {
      const before = await databaseState(db.url);
      const result = (await runAs(env, id, { person: null, host: hostOf("acme") }, { code: "123456", restart: "1", password: PASSWORD })) as Answer;
      assert.deepEqual(result, { status: "error", error: "Your session has ended. Sign in again, then retry." }, id);
      assert.deepEqual(changedTables(before, await databaseState(db.url)), [], id);
    }
  });

  test("a userId in the form is ignored: only the session's person starts enrolment", async () => {
    await ownerQuery(db.url, "update public.users set password_hash = $2 where id = $1", [fx.users.acmeAnalyst, await hashPassword(PASSWORD)]);
    const form = { restart: "1", password: PASSWORD, userId: fx.users.acmeAdmin, user_id: fx.users.acmeAdmin };
    const result = (await runAs(env, START, { person: env.person("acmeAnalyst"), host: hostOf("acme") }, form)) as Answer;
    assert.deepEqual(result, { status: "idle" });
    const rows = await ownerQuery<{ user_id: string }>(db.url, "select user_id from public.user_mfa order by user_id");
    assert.deepEqual(
      rows.map((r) => r.user_id),
      [fx.users.acmeAnalyst],
    );
  });
});

// A host the proxy would not serve reaches no action either (the host decides the tenant).
test("an unknown host: tenant actions refuse before anything is read", async () => {
  const result = (await runAs(env, "lib/actions/settings/set-setting.ts#setSetting", { person: env.person("acmeViewer"), host: "evil.example.com" }, { tenantId: fx.tenants.acme, key: "session.mfa_required", value: "true" })) as Answer;
  assert.deepEqual(result, { ok: false, error: "This portal address is not known." });
});
