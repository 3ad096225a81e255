// Auth events (issue 9, finding 8): each event gives a structured log line
// (request id, tenant, user, outcome) and, for a real account, an audit row
// in each tenant the user is a member of, readable by that tenant's admins and
// the MSSP's above it, and by nobody else. Driven through next-auth's real
// handler (sign-in, sign-out) and the MFA functions; the audit rows are read
// under RLS as each kind of user.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

process.env.NEXTAUTH_SECRET ??= "test-only-nextauth-secret-auth-events";

import pg from "pg";
import { recordAuthEvent, setAuthEventLogger, settleAuthEvents } from "@/lib/auth/events";
import { confirmEnrolment, disableMfa, startEnrolment } from "@/lib/auth/mfa";
import { hashPassword } from "@/lib/auth/password";
import { revokeUserSessions } from "@/lib/auth/sessions";
import { base32Decode, totp } from "@/lib/auth/totp";
import { listAuditEvents } from "@/lib/audit/list";
import { withTenant } from "@/lib/db/with-tenant";
import { createLogger } from "@/lib/log";
import { emailOf, insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { AuthFlow } from "./helpers/next-auth-flow";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

const PASSWORD = "correct horse battery staple";
let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;
const lines: Record<string, unknown>[] = [];

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
  await owner.query("update public.users set password_hash = $1", [await hashPassword(PASSWORD)]);
  setAuthEventLogger(createLogger({ write: (line: string) => void lines.push(JSON.parse(line)) } as never, "info"));
});
after(async () => {
  await owner?.end();
  await db?.drop();
});

type Row = { action: string; outcome: string; actorId: string | null; tenantSlug: string; requestId: string | null; details: Record<string, unknown> };

/** Auth audit rows `viewer` can read under RLS (the audit page's own query), optionally about one user. */
async function visibleTo(viewer: UserName, about?: string, activeTenant: string | null = null): Promise<Row[]> {
  return withTenant({ userId: fx.users[viewer], activeTenantId: activeTenant }, async (tx) => {
    const page = await listAuditEvents(tx.db, { action: "auth:", page: 1 }, 500);
    return page.rows.filter((r) => !about || r.actorId === about) as Row[];
  });
}

const linesOf = (event: string, userId: string | null) => lines.filter((l) => l.event === event && l.userId === userId);

describe("sign-in and sign-out", () => {
  test("a successful sign-in: a log line and one audit row in the user's tenant, seen by its admins and the MSSP's, not by others", async () => {
    const flow = await AuthFlow.portal();
    await flow.signIn(emailOf("acmeAnalyst"), PASSWORD);
    const sid = (await flow.session())?.user?.sessionId;
    assert.ok(sid);
    const line = linesOf("auth.sign-in", fx.users.acmeAnalyst).at(-1);
    assert.ok(line, "log line");
    assert.equal(line.outcome, "success");
    assert.equal(line.sessionId, sid);
    assert.equal(line.method, "password");
    assert.deepEqual(line.auditTenants, [fx.tenants.acme]);
    assert.ok("requestId" in line && "tenant" in line, "the line names the request and the tenant (null outside a request)");

    const rows = (await visibleTo("acmeAdmin", fx.users.acmeAnalyst)).filter((r) => r.action === "auth:sign-in");
    assert.equal(rows.length, 1);
    assert.equal(rows[0].tenantSlug, "acme");
    assert.equal(rows[0].outcome, "success");
    assert.equal(rows[0].details.session, sid);
    assert.equal((await visibleTo("msspAdmin", fx.users.acmeAnalyst)).filter((r) => r.action === "auth:sign-in").length, 1, "the MSSP above sees it");

    // Nobody else: another customer's admin, another MSSP's admin, a site's
    // admin below, a non-admin of the same tenant, the user themselves, the
    // MSSP's analyst.
    for (const viewer of ["globexAdmin", "msspBAdmin", "otherCoAdmin", "acmeEuAdmin", "acmeViewer", "acmeAnalyst", "msspAnalyst"] as UserName[]) {
      assert.deepEqual(await visibleTo(viewer, fx.users.acmeAnalyst), [], viewer);
    }
    // Not with forged narrowing either: globex's admin with acme claimed as the active tenant.
    assert.deepEqual(await visibleTo("globexAdmin", fx.users.acmeAnalyst, fx.tenants.acme), []);
  });

  test("a user of two customers: one row in each, each admin sees only their own tenant's", async () => {
    const flow = await AuthFlow.portal();
    await flow.signIn(emailOf("twoCustomers"), PASSWORD);
    await flow.signOut();
    const acme = await visibleTo("acmeAdmin", fx.users.twoCustomers);
    const globex = await visibleTo("globexAdmin", fx.users.twoCustomers);
    assert.deepEqual(acme.map((r) => r.tenantSlug).sort(), ["acme", "acme"]);
    assert.deepEqual(globex.map((r) => r.tenantSlug).sort(), ["globex", "globex"]);
    assert.deepEqual(new Set(acme.map((r) => r.action)), new Set(["auth:sign-in", "auth:sign-out"]));
    assert.equal(linesOf("auth.sign-out", fx.users.twoCustomers).length, 1);
  });

  test("a wrong password is recorded for the account's admins; an unknown email is logged only; both answer the same", async () => {
    const flow = await AuthFlow.portal();
    const wrong = await flow.signIn(emailOf("acmeViewer"), "not the password");
    const unknown = await flow.signIn("nobody-here@example.test", "not the password");
    assert.equal(new URL(wrong.redirect!).searchParams.get("error"), new URL(unknown.redirect!).searchParams.get("error"));
    await settleAuthEvents();
    const rows = (await visibleTo("acmeAdmin", fx.users.acmeViewer)).filter((r) => r.action === "auth:sign-in-failed");
    assert.equal(rows.length, 1);
    assert.equal(rows[0].outcome, "failure");
    assert.equal(rows[0].details.reason, "wrong_password");
    const unknownLine = lines.filter((l) => l.event === "auth.sign-in-failed" && l.reason === "unknown_account").at(-1);
    assert.ok(unknownLine, "the unknown email is logged");
    assert.equal(unknownLine.userId, null);
    assert.deepEqual(unknownLine.auditTenants, []);
    assert.ok(!JSON.stringify(lines).includes("nobody-here"), "the email itself is not logged");
    // No audit row anywhere names anything of it.
    const { rows: all } = await owner.query("select count(*)::int as n from public.audit_log where action = 'auth:sign-in-failed' and actor_id is null");
    assert.equal(all[0].n, 0);
  });

  test("a lockout is recorded once per user and source, every attempt is logged", async () => {
    const flow = await AuthFlow.portal();
    for (let i = 0; i < 7; i++) await flow.signIn(emailOf("acmeEuAdmin"), `wrong-${i}`);
    await settleAuthEvents();
    const rows = await visibleTo("acmeAdmin", fx.users.acmeEuAdmin);
    assert.equal(rows.filter((r) => r.action === "auth:sign-in-failed").length, 4);
    assert.equal(rows.filter((r) => r.action === "auth:sign-in-locked").length, 1, "one row for the lockout");
    assert.equal(linesOf("auth.sign-in-locked", fx.users.acmeEuAdmin).length, 3, "each locked attempt logged");
    assert.deepEqual(await visibleTo("globexAdmin", fx.users.acmeEuAdmin), []);
  });
});

describe("MFA and session events", () => {
  test("MFA enrolled, recovery code used, MFA disabled, sessions revoked: rows for the admins, with reasons", async () => {
    const user = fx.users.acmeUsAdmin;
    const keep = await AuthFlow.portal();
    await keep.signIn(emailOf("acmeUsAdmin"), PASSWORD);
    const other = await AuthFlow.portal();
    await other.signIn(emailOf("acmeUsAdmin"), PASSWORD);
    const keepSid = (await keep.session())!.user!.sessionId;

    const start = await startEnrolment({ id: user, email: emailOf("acmeUsAdmin") }, { sessionId: keepSid });
    assert.ok(start.ok);
    const secret = base32Decode(start.enrolment.secret);
    const now = new Date();
    const confirmed = await confirmEnrolment(user, totp(secret, now), now, { keepSessionId: keepSid });
    assert.ok(confirmed.ok);
    // Sign in with a recovery code, then turn MFA off with another.
    const third = await AuthFlow.portal();
    await third.signIn(emailOf("acmeUsAdmin"), PASSWORD, confirmed.recoveryCodes[0]);
    assert.ok(await third.session());
    assert.ok((await disableMfa(user, confirmed.recoveryCodes[1], new Date(), { keepSessionId: keepSid })).ok);

    const rows = await visibleTo("acmeAdmin", user);
    const actions = rows.map((r) => r.action);
    for (const a of ["auth:mfa-enrolled", "auth:recovery-code-used", "auth:mfa-disabled", "auth:session-revoked"]) {
      assert.ok(actions.includes(a), `${a} in ${actions}`);
    }
    assert.equal(actions.filter((a) => a === "auth:recovery-code-used").length, 2);
    const revoked = rows.filter((r) => r.action === "auth:session-revoked").map((r) => r.details.reason).sort();
    assert.deepEqual(revoked, ["mfa_disabled", "mfa_enrolled"]);
    const signIn = rows.find((r) => r.action === "auth:sign-in" && r.details.method === "recovery");
    assert.ok(signIn, "the sign-in says it used a recovery code");
    assert.deepEqual(await visibleTo("acmeEuAdmin", user), [], "a sibling site's admin sees none of it");
    // No recovery code, in any spelling, in what the admins read. UUIDs (the
    // session ids) are taken out first: a lowercase UUID can hold "2345-6789",
    // which the code pattern matches by chance (a CI run hit it).
    const codes = confirmed.recoveryCodes.flatMap((c) => [c, c.replace(/-/g, ""), c.toLowerCase()]);
    for (const r of rows) {
      const text = JSON.stringify(r.details);
      for (const c of codes) assert.ok(!text.includes(c), `recovery code ${c} in details`);
      const withoutUuids = text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "");
      assert.ok(!withoutUuids.match(/[A-Z2-9]{4}-[A-Z2-9]{4}/), `no recovery code in details: ${text}`);
    }
  });

  test("revokeUserSessions (password change) records session-revoked with its reason and count", async () => {
    const a = await AuthFlow.portal();
    await a.signIn(emailOf("globexAdmin"), PASSWORD);
    const b = await AuthFlow.portal();
    await b.signIn(emailOf("globexAdmin"), PASSWORD);
    assert.equal(await revokeUserSessions(fx.users.globexAdmin, "password_changed"), 2);
    const row = (await visibleTo("globexAdmin", fx.users.globexAdmin)).find((r) => r.action === "auth:session-revoked");
    assert.ok(row);
    assert.equal(row.details.reason, "password_changed");
    assert.equal(row.details.sessions, 2);
    assert.deepEqual(await visibleTo("acmeAdmin", fx.users.globexAdmin), []);
  });

  test("the request id and host tenant reach both the log line and the audit row", async () => {
    await recordAuthEvent({ type: "password-changed", userId: fx.users.acmeViewer }, { context: { requestId: "req-auth-events-1", host: "acme.localhost:3000" } });
    const line = lines.find((l) => l.event === "auth.password-changed");
    assert.equal(line?.requestId, "req-auth-events-1");
    assert.equal(line?.tenant, "acme");
    const row = (await visibleTo("acmeAdmin", fx.users.acmeViewer)).find((r) => r.action === "auth:password-changed");
    assert.equal(row?.requestId, "req-auth-events-1");
    assert.equal(row?.details.host, "acme");
  });

  test("a user without memberships: logged, no audit row; an invalid event is refused with a log line, not an exception", async () => {
    await recordAuthEvent({ type: "sign-in", userId: fx.users.noMemberships });
    assert.deepEqual(linesOf("auth.sign-in", fx.users.noMemberships).at(-1)?.auditTenants, []);
    await recordAuthEvent({ type: "sign-in", userId: "not-a-uuid" });
    assert.ok(lines.some((l) => l.event === "auth.event-invalid"));
  });

  test("the audit chain stays verifiable with auth rows in it", async () => {
    const { rows } = await owner.query(
      `select count(*)::int as n from public.audit_log a
        where a.action like 'auth:%'
          and a.hash <> extensions.digest(a.prev_hash || convert_to(audit.canonical(a.tenant_id, a.seq, a.occurred_at, a.actor_id, a.actor_email,
                a.action, a.target_type, a.target_id, a.outcome, a.request_id, a.details), 'UTF8'), 'sha256')`,
    );
    assert.equal(rows[0].n, 0);
  });
});
