// Invitations by email with proof of mailbox control (issue 9, finding 3),
// against a real Postgres, the real PDP and a real SMTP server. Each test
// tries to break a property the old flow lacked: the old link put the token
// in the URL path, and whoever held it created the account for the invited
// address (or any signed-in holder of that address accepted) with no code,
// and an invitation outlived its inviter's right to grant the role.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { createInvitedAccountAction } from "@/lib/actions/team/accept-invitation";
import { idle } from "@/lib/actions/result";
import { withTenant } from "@/lib/db/with-tenant";
import { runJobsUntilIdle } from "@/lib/jobs";
import { MAIL_TASK, registerMailDelivery } from "@/lib/mail/deliver";
import { reset } from "@/lib/ratelimit";
import {
  acceptInvitationWithCode,
  INVALID_INVITATION,
  INVITER_LOST_RIGHT,
  previewInvitation,
  sendInvitationCode,
  TOO_MANY_TRIES,
  WRONG_CODE,
} from "@/lib/team/accept";
import { TeamError } from "@/lib/team/errors";
import { inviteByEmail, inviteFirstAdmin, resendInvitation } from "@/lib/team/invite";
import { withServiceRole } from "@/lib/db/service-role";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { codeIn, linkIn, startSmtpServer, useSmtp, type TestSmtpServer } from "./helpers/smtp";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let smtp: TestSmtpServer;
before(async () => {
  process.env.NEXTAUTH_SECRET = "invitation-mail-test-secret";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  smtp = await startSmtpServer();
  useSmtp(smtp);
  registerMailDelivery();
});
after(async () => {
  await smtp.stop();
  await db.drop();
});
beforeEach(() => smtp.clear());

const PASSWORD = "a-long-invitee-password-2026";
const deliver = () => runJobsUntilIdle({ kinds: [MAIL_TASK] });
const owner = <T>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
const userByEmail = async (email: string) => (await owner<{ id: string }>("select id from public.users where email = $1", [email]))[0] ?? null;
const roleOf = async (tenant: string, user: string) =>
  (await owner<{ role: string }>("select role from public.memberships where tenant_id = $1 and user_id = $2", [tenant, user]))[0]?.role ?? null;

/** Invites as `inviter`, delivers, and returns the token read from the emailed link's fragment. */
async function invite(inviter: string, tenantId: string, email: string, role: "tenant_admin" | "tenant_analyst" | "tenant_viewer" = "tenant_viewer") {
  const sent = await withTenant({ userId: inviter }, (tx) => inviteByEmail(tx.db, { tenantId, email, role, invitedBy: inviter, timeZone: "UTC" }));
  await deliver();
  const mail = await smtp.waitFor((m) => m.to === email && /invited/.test(m.subject));
  const link = new URL(linkIn(mail));
  const token = new URLSearchParams(link.hash.slice(1)).get("token")!;
  return { sent, mail, link, token };
}

async function mailedCode(token: string, email: string): Promise<string> {
  smtp.clear();
  assert.equal((await sendInvitationCode(token)).status, "sent");
  await deliver();
  return codeIn(await smtp.waitFor((m) => m.to === email && /code/i.test(m.subject)));
}

async function newUser(email: string, memberships: [string, string][] = []): Promise<string> {
  const [{ id }] = await owner<{ id: string }>("insert into public.users (email, name) values ($1, 'Someone') returning id", [email]);
  for (const [tenant, role] of memberships) await owner("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, $3)", [tenant, id, role]);
  return id;
}

describe("the invitation email", () => {
  test("is delivered with a link whose token is in the fragment: not in the path, not in the query", async () => {
    const { mail, link, token } = await invite(fx.users.acmeAdmin, fx.tenants.acme, "first@example.test");
    assert.equal(mail.subject, "You're invited to join Tenant acme on MSSP Portal");
    assert.equal(link.origin, "http://acme.localhost:3000");
    assert.equal(link.pathname, "/invite");
    assert.equal(link.search, "");
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!link.pathname.includes(token) && !link.search.includes(token));
    // What a server (or its access log) receives for this link: the path only.
    assert.equal(`${link.pathname}${link.search}`, "/invite");
    // The token is stored only as a hash; the email body is erased from the outbox once sent.
    const [row] = await owner<{ body_sealed: Buffer | null; status: string }>("select body_sealed, status from mail.outbox where recipient = 'first@example.test'");
    assert.deepEqual(row, { body_sealed: null, status: "sent" });
    assert.equal((await previewInvitation(token))?.email, "first@example.test");
  });

  test("an invitation that rolls back sends no email", async () => {
    await assert.rejects(
      withTenant({ userId: fx.users.acmeAdmin }, async (tx) => {
        await inviteByEmail(tx.db, { tenantId: fx.tenants.acme, email: "rolled-back@example.test", role: "tenant_viewer", invitedBy: fx.users.acmeAdmin, timeZone: "UTC" });
        throw new Error("later step failed");
      }),
      /later step failed/,
    );
    await deliver();
    assert.equal((await owner("select 1 from mail.outbox where recipient = 'rolled-back@example.test'")).length, 0);
  });

  test("resend mails a new link and the old one stops working", async () => {
    const first = await invite(fx.users.acmeAdmin, fx.tenants.acme, "resend@example.test");
    smtp.clear();
    await withTenant({ userId: fx.users.acmeAdmin }, (tx) =>
      resendInvitation(tx.db, { tenantId: fx.tenants.acme, invitationId: first.sent.id, invitedBy: fx.users.acmeAdmin, timeZone: "UTC" }),
    );
    await deliver();
    const again = new URL(linkIn(await smtp.waitFor((m) => m.to === "resend@example.test")));
    const token = new URLSearchParams(again.hash.slice(1)).get("token")!;
    assert.notEqual(token, first.token);
    assert.equal(await previewInvitation(first.token), null);
    assert.ok(await previewInvitation(token));
  });
});

describe("proof of mailbox control", () => {
  test("no account is created without the emailed code (the old flow created it from the link alone)", async () => {
    const { token } = await invite(fx.users.acmeAdmin, fx.tenants.acme, "nocode@example.test");
    const form = new FormData();
    form.set("token", token);
    form.set("name", "No Code");
    form.set("password", PASSWORD);
    const result = await createInvitedAccountAction(idle as never, form);
    assert.equal(result.ok, false);
    assert.equal(await userByEmail("nocode@example.test"), null);
    // With a made-up code (no code was ever sent): refused, still no account.
    await assert.rejects(acceptInvitationWithCode(token, "123456", { kind: "new", name: "X", password: PASSWORD }), (e: Error) => e instanceof TeamError && e.message === WRONG_CODE);
    assert.equal(await userByEmail("nocode@example.test"), null);
  });

  test("the emailed code creates the account for the invited address, once, with exactly the invited role", async () => {
    const { token } = await invite(fx.users.acmeAdmin, fx.tenants.acme, "joiner@example.test", "tenant_analyst");
    const code = await mailedCode(token, "joiner@example.test");
    const [stored] = await owner<{ code_hash: Buffer }>("select code_hash from mail.codes where email = 'joiner@example.test'");
    assert.ok(!stored.code_hash.toString("hex").includes(code) && stored.code_hash.length === 32, "only an HMAC is stored");
    const done = await acceptInvitationWithCode(token, code, { kind: "new", name: "Joiner", password: PASSWORD });
    assert.equal(done.email, "joiner@example.test");
    assert.equal(done.created, true);
    assert.equal(await roleOf(fx.tenants.acme, done.userId), "tenant_analyst");
    const [audit] = await owner<{ action: string; actor_id: string }>("select action, actor_id from public.audit_log where action = 'team:accept-invite' and actor_id = $1", [done.userId]);
    assert.ok(audit);
    // Single use: the link and the code are spent.
    await assert.rejects(acceptInvitationWithCode(token, code, { kind: "existing", userId: done.userId }), (e: Error) => e.message === INVALID_INVITATION);
  });

  test("wrong codes are limited: a code dies after 5 wrong tries, and tries per invitation are rate-limited", async () => {
    const { sent, token } = await invite(fx.users.acmeAdmin, fx.tenants.acme, "guesser@example.test");
    const code = await mailedCode(token, "guesser@example.test");
    const wrong = code === "000000" ? "000001" : "000000";
    for (let i = 0; i < 5; i++) {
      await assert.rejects(acceptInvitationWithCode(token, wrong, { kind: "new", name: "G", password: PASSWORD }), (e: Error) => e.message === WRONG_CODE);
    }
    // The 6th try, even with the right code, is refused by the shared limiter…
    await assert.rejects(acceptInvitationWithCode(token, code, { kind: "new", name: "G", password: PASSWORD }), (e: Error) => e.message === TOO_MANY_TRIES);
    // …and with the limiter emptied, the code itself is dead after 5 wrong tries.
    await reset(`invite-code-try:${sent.id}`);
    await assert.rejects(acceptInvitationWithCode(token, code, { kind: "new", name: "G", password: PASSWORD }), (e: Error) => e.message === WRONG_CODE);
    assert.equal(await userByEmail("guesser@example.test"), null);
    // A new code works.
    await reset(`invite-code-try:${sent.id}`);
    const fresh = await mailedCode(token, "guesser@example.test");
    assert.equal((await acceptInvitationWithCode(token, fresh, { kind: "new", name: "G", password: PASSWORD })).email, "guesser@example.test");
  });

  test("codes expire, a new code retires the previous one, and code emails per invitation are limited", async () => {
    const { token } = await invite(fx.users.acmeAdmin, fx.tenants.acme, "slow@example.test");
    const old = await mailedCode(token, "slow@example.test");
    const code = await mailedCode(token, "slow@example.test");
    if (old !== code) {
      await assert.rejects(acceptInvitationWithCode(token, old, { kind: "new", name: "S", password: PASSWORD }), (e: Error) => e.message === WRONG_CODE);
    }
    await owner("update mail.codes set created_at = now() - interval '20 minutes', expires_at = now() - interval '5 minutes' where email = 'slow@example.test'");
    await assert.rejects(acceptInvitationWithCode(token, code, { kind: "new", name: "S", password: PASSWORD }), (e: Error) => e.message === WRONG_CODE);
    // Three codes were allowed at once (two above); the fourth is not sent.
    assert.equal((await sendInvitationCode(token)).status, "sent");
    assert.equal((await sendInvitationCode(token)).status, "limited");
  });

  test("another email cannot use the invitation, even with the code, and a new account always takes the invited address", async () => {
    const { token } = await invite(fx.users.acmeAdmin, fx.tenants.acme, "meant-for@example.test");
    const code = await mailedCode(token, "meant-for@example.test");
    // A signed-in user of another address (the link was forwarded to them, and the code too).
    const other = await newUser("forwarded-to@example.test");
    await assert.rejects(acceptInvitationWithCode(token, code, { kind: "existing", userId: other }), /This invitation is for meant-for@example\.test/);
    assert.equal(await roleOf(fx.tenants.acme, other), null);
    // An existing member of another tenant cannot either.
    await assert.rejects(acceptInvitationWithCode(token, code, { kind: "existing", userId: fx.users.globexAdmin }), /This invitation is for/);
    assert.equal(await roleOf(fx.tenants.acme, fx.users.globexAdmin), null);
    // The action has no email field: whatever is posted, the account is the invitation's.
    const form = new FormData();
    for (const [k, v] of Object.entries({ token, code, name: "Sneaky", password: PASSWORD, email: "attacker@example.test" })) form.set(k, v);
    const result = await createInvitedAccountAction(idle as never, form);
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(await userByEmail("attacker@example.test"), null);
    const joined = await userByEmail("meant-for@example.test");
    assert.ok(joined);
    // The acceptance is an auth event of the account, in its tenant's audit trail (lib/auth/events.ts).
    const events = await owner<{ tenant_id: string }>("select tenant_id from public.audit_log where action = 'auth:invitation-accepted' and target_id = $1", [joined.id]);
    assert.deepEqual(events.map((e) => e.tenant_id), [fx.tenants.acme]);
  });

  test("an existing account accepts while signed in as the invited address, with the code", async () => {
    const existing = await newUser("already@example.test", [[fx.tenants.globex, "tenant_viewer"]]);
    const { token } = await invite(fx.users.acmeAdmin, fx.tenants.acme, "already@example.test", "tenant_analyst");
    assert.equal((await previewInvitation(token))?.accountExists, true);
    const code = await mailedCode(token, "already@example.test");
    const done = await acceptInvitationWithCode(token, code, { kind: "existing", userId: existing });
    assert.deepEqual([done.created, await roleOf(fx.tenants.acme, existing)], [false, "tenant_analyst"]);
  });
});

describe("the inviter's right to grant the role, checked at acceptance", () => {
  async function inviterOnAcme(email: string): Promise<string> {
    return newUser(email, [[fx.tenants.acme, "tenant_admin"]]);
  }

  test("an invitation whose inviter lost the admin role no longer accepts (the old flow accepted it)", async () => {
    const inviter = await inviterOnAcme("demoted-admin@example.test");
    const { token } = await invite(inviter, fx.tenants.acme, "after-demotion@example.test", "tenant_analyst");
    const code = await mailedCode(token, "after-demotion@example.test");
    await owner("update public.memberships set role = 'tenant_viewer' where tenant_id = $1 and user_id = $2", [fx.tenants.acme, inviter]);
    await assert.rejects(acceptInvitationWithCode(token, code, { kind: "new", name: "A", password: PASSWORD }), (e: Error) => e.message === INVITER_LOST_RIGHT);
    assert.equal(await userByEmail("after-demotion@example.test"), null);
    // Given the role back, the same invitation (and the same code, not consumed) works again.
    await owner("update public.memberships set role = 'tenant_admin' where tenant_id = $1 and user_id = $2", [fx.tenants.acme, inviter]);
    assert.equal((await acceptInvitationWithCode(token, code, { kind: "new", name: "A", password: PASSWORD })).created, true);
  });

  test("an invitation whose inviter was removed from the tenant, or deleted, no longer accepts", async () => {
    const removed = await inviterOnAcme("removed-admin@example.test");
    const first = await invite(removed, fx.tenants.acme, "after-removal@example.test");
    const deleted = await inviterOnAcme("deleted-admin@example.test");
    const second = await invite(deleted, fx.tenants.acme, "after-deletion@example.test");
    const code1 = await mailedCode(first.token, "after-removal@example.test");
    const code2 = await mailedCode(second.token, "after-deletion@example.test");
    await owner("delete from public.memberships where user_id = $1", [removed]);
    await owner("delete from public.users where id = $1", [deleted]);
    await assert.rejects(acceptInvitationWithCode(first.token, code1, { kind: "new", name: "R", password: PASSWORD }), (e: Error) => e.message === INVITER_LOST_RIGHT);
    await assert.rejects(acceptInvitationWithCode(second.token, code2, { kind: "new", name: "D", password: PASSWORD }), (e: Error) => e.message === INVITER_LOST_RIGHT);
  });

  test("a right held on an ancestor counts: the MSSP admin's invitation of a customer admin is accepted", async () => {
    const { token } = await invite(fx.users.msspAdmin, fx.tenants.globex, "from-mssp@example.test", "tenant_admin");
    const code = await mailedCode(token, "from-mssp@example.test");
    assert.equal((await acceptInvitationWithCode(token, code, { kind: "new", name: "M", password: PASSWORD })).role, "tenant_admin");
  });

  test("a first-admin invitation issued by the system (an operator's provisioning command) has no inviter to lose", async () => {
    const { invited } = await withServiceRole("lifecycle.workflow", (sdb) => inviteFirstAdmin(sdb, { tenantId: fx.tenants["acme-us"], email: "system-invited@example.test", invitedBy: null }));
    assert.equal(invited, true);
    await deliver();
    const link = new URL(linkIn(await smtp.waitFor((m) => m.to === "system-invited@example.test")));
    const token = new URLSearchParams(link.hash.slice(1)).get("token")!;
    const code = await mailedCode(token, "system-invited@example.test");
    assert.equal((await acceptInvitationWithCode(token, code, { kind: "new", name: "S", password: PASSWORD })).role, "tenant_admin");
  });
});
