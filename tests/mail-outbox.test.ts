// The email outbox (lib/mail), against a real Postgres and a real SMTP server
// (smtp-server on a loopback port): a message queued in a user's withTenant
// transaction is delivered by the job engine after commit, and never when
// that transaction rolls back; the caller's identity is intact after the
// queuing; a failed attempt is retried and the last one marks the row
// failed; bodies (which carry links and codes) are erased once the outcome
// is known, and sealed before they reach SQL (no link or code in a statement,
// a row copy or the statement log); no role an attacker can reach reads the
// outbox or the codes.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant } from "@/lib/db/with-tenant";
import { runJobsUntilIdle } from "@/lib/jobs";
import { enqueueMail, invitationMail, mailSettings, outboxStatus } from "@/lib/mail";
import { deliverOne, MAIL_TASK, registerMailDelivery } from "@/lib/mail/deliver";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { startSmtpServer, useSmtp, type TestSmtpServer } from "./helpers/smtp";
import { attempt, assertRefused } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let smtp: TestSmtpServer;
before(async () => {
  process.env.NEXTAUTH_SECRET = "mail-outbox-test-secret";
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

const message = (n: string) =>
  invitationMail({ timeZone: "UTC", tenantName: "Tenant acme", role: "tenant_viewer", link: `http://acme.localhost:3000/invite#token=${"T".repeat(40)}${n}`, expiresAt: new Date(Date.now() + 86_400_000) });
const deliver = () => runJobsUntilIdle({ kinds: [MAIL_TASK] });
const row = (id: string) => withClient(db.url, async (c) => (await c.query("select * from mail.outbox where id = $1", [id])).rows[0]);

describe("queuing in the caller's transaction", () => {
  test("mail queued while the queue was not installed is handed over when it is (mail.dispatch_pending)", async () => {
    const { installJobEngine } = await import("@/lib/jobs/install");
    const queued = await withTenant({ userId: fx.users.acmeAdmin }, (tx) => enqueueMail(tx.db, { to: "early@example.test", tenantId: fx.tenants.acme, message: message("early") }));
    const key = `mail:${queued.id}`;
    const jobs = () => withClient(db.url, async (c) => (await c.query("select 1 from graphile_worker.jobs where key = $1", [key])).rowCount);
    // As if queued before graphile-worker's schema existed: the trigger had nothing to add the job to.
    await withClient(db.url, (c) => c.query("delete from graphile_worker._private_jobs where key = $1", [key]));
    assert.equal(await jobs(), 0);
    // A message whose job waits (a retry's backoff) keeps its time and attempts through an install.
    const waiting = await withTenant({ userId: fx.users.acmeAdmin }, (tx) => enqueueMail(tx.db, { to: "backoff@example.test", tenantId: fx.tenants.acme, message: message("backoff") }));
    const waitingJob = () =>
      withClient(db.url, async (c) => (await c.query("select attempts, run_at > now() + interval '30 minutes' as later from graphile_worker._private_jobs where key = $1", [`mail:${waiting.id}`])).rows[0]);
    await withClient(db.url, (c) => c.query("update graphile_worker._private_jobs set attempts = 2, run_at = now() + interval '1 hour' where key = $1", [`mail:${waiting.id}`]));
    assert.equal(await installJobEngine(db.url), true);
    assert.equal(await jobs(), 1);
    assert.deepEqual(await waitingJob(), { attempts: 2, later: true }, "a waiting job is left as it is");
    await deliver();
    await smtp.waitFor((m) => m.to === "early@example.test");
    await withClient(db.url, (c) => c.query("delete from graphile_worker._private_jobs where key = $1", [`mail:${waiting.id}`]));
  });

  test("one delivery run sends every message of a tenant's queue, not only the first (the CI flake of stop 46)", async () => {
    // A tenant's mail shares one named queue; graphile-worker asks for the next job before the
    // previous one's completion has unlocked that queue, so a single pass could end after one.
    const ids = await withTenant({ userId: fx.users.acmeAdmin }, async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < 6; i++) out.push((await enqueueMail(tx.db, { to: `same-queue-${i}@example.test`, tenantId: fx.tenants.acme, message: message(`q${i}`) })).id);
      return out;
    });
    await deliver();
    const statuses = await withTenant({ userId: fx.users.acmeAdmin }, (tx) => outboxStatus(tx.db, ids));
    assert.deepEqual(statuses.map((s) => s.status), ids.map(() => "sent"));
    assert.equal(smtp.messages.filter((m) => m.to.startsWith("same-queue-")).length, 6);
    const locked = await withClient(db.url, async (c) => (await c.query("select count(*)::int as n from graphile_worker._private_jobs where locked_by is not null")).rows[0].n);
    assert.equal(locked, 0, "no job is left locked once the run returns");
  });

  test("a message queued inside withTenant is delivered over SMTP after commit, with bodies erased after", async () => {
    const queued = await withTenant({ userId: fx.users.acmeAdmin }, async (tx) => {
      const q = await enqueueMail(tx.db, { to: "New.Person@Example.test", tenantId: fx.tenants.acme, message: message("a") });
      // The caller is still the caller afterwards: same role, same claims, still under RLS.
      const { rows } = await tx.client.query("select current_user as role, auth.uid() as uid, auth.role() as jwt_role");
      assert.deepEqual(rows[0], { role: "authenticated", uid: fx.users.acmeAdmin, jwt_role: "authenticated" });
      assertRefused(await attempt(tx.client, "select * from mail.outbox"));
      return q;
    });
    assert.equal((await row(queued.id)).status, "queued");
    await deliver();
    const mail = await smtp.waitFor((m) => m.to === "new.person@example.test");
    assert.equal(mail.subject, "You're invited to join Tenant acme on the MSSP portal");
    assert.match(mail.text, /\/invite#token=T{40}a/);
    assert.match(mail.html, /Accept the invitation/);
    const r = await row(queued.id);
    assert.equal(r.status, "sent");
    assert.equal(r.transport, "smtp");
    assert.equal(r.attempts, 1);
    assert.ok(r.sent_at);
    assert.equal(r.body_sealed, null, "the body (it holds the link) is erased once sent");
    const [status] = await withTenant({ userId: fx.users.acmeAdmin }, (tx) => outboxStatus(tx.db, [queued.id]));
    assert.equal(status.status, "sent");
  });

  test("a transaction that rolls back sends nothing (the row and its job go with it)", async () => {
    let id = "";
    await assert.rejects(
      withTenant({ userId: fx.users.acmeAdmin }, async (tx) => {
        id = (await enqueueMail(tx.db, { to: "never@example.test", tenantId: fx.tenants.acme, message: message("b") })).id;
        throw new Error("the change failed");
      }),
      /the change failed/,
    );
    await deliver();
    assert.equal(await row(id), undefined);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(smtp.messages.length, 0);
  });

  test("a failure inside the service-role part rolls back to where the caller was, caller intact", async () => {
    await withTenant({ userId: fx.users.acmeAdmin }, async (tx) => {
      await assert.rejects(enqueueMail(tx.db, { to: "not-an-address", message: message("c") }), { name: "ZodError" });
      await assert.rejects(enqueueMail(tx.db, { to: "x@example.test", message: { ...message("c"), template: "Bad Template!" } }), { code: "23514" });
      const { rows } = await tx.client.query("select current_user as role, auth.uid() as uid");
      assert.deepEqual(rows[0], { role: "authenticated", uid: fx.users.acmeAdmin });
    });
  });
});

describe("retries", () => {
  test("a temporary SMTP failure is recorded and retried; the retry delivers", async () => {
    const { id } = await withServiceRole("mail.outbox", (sdb) => enqueueMail(sdb, { to: "retry@example.test", message: message("d") }));
    smtp.failNext(1);
    await deliver();
    let r = await row(id);
    assert.equal(r.status, "queued");
    assert.equal(r.attempts, 1);
    assert.match(r.last_error, /451|Try again later/);
    assert.ok(r.body_sealed, "kept for the retry");
    // graphile-worker scheduled the retry with its backoff.
    const job = await withClient(db.url, async (c) => (await c.query(`select attempts, run_at > now() as later from graphile_worker.jobs where key = $1`, [`mail:${id}`])).rows[0]);
    assert.deepEqual(job, { attempts: 1, later: true });
    await withClient(db.url, (c) => c.query(`update graphile_worker._private_jobs set run_at = now() where key = $1`, [`mail:${id}`]));
    await deliver();
    r = await row(id);
    assert.equal(r.status, "sent");
    assert.equal(r.attempts, 2);
    assert.equal((await smtp.waitFor((m) => m.to === "retry@example.test")).subject, message("d").subject);
  });

  test("the last attempt marks the message failed and erases its bodies", async () => {
    const { id } = await withServiceRole("mail.outbox", (sdb) => enqueueMail(sdb, { to: "doomed@example.test", message: message("e"), maxAttempts: 2 }));
    smtp.failNext(2);
    await deliver();
    assert.equal((await row(id)).status, "queued");
    assert.equal(await deliverOne(id), "failed");
    const r = await row(id);
    assert.equal(r.status, "failed");
    assert.ok(r.failed_at);
    assert.equal(r.body_sealed, null);
    assert.match(r.last_error, /451|Try again later/);
    assert.equal(await deliverOne(id), "skipped", "a failed message is not sent again");
  });

  test("production without SMTP: the message fails, saying so; development prints it instead", async () => {
    const { id } = await withServiceRole("mail.outbox", (sdb) => enqueueMail(sdb, { to: "prod@example.test", message: message("f") }));
    const prod = mailSettings({ NODE_ENV: "production" } as never);
    assert.equal(prod.mode, "unconfigured");
    assert.equal(await deliverOne(id, prod), "failed");
    assert.match((await row(id)).last_error, /SMTP is not configured/);

    const dev = mailSettings({ NODE_ENV: "development" } as never);
    assert.equal(dev.mode, "console");
    const second = await withServiceRole("mail.outbox", (sdb) => enqueueMail(sdb, { to: "dev@example.test", message: message("g") }));
    const printed: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (printed.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      assert.equal(await deliverOne(second.id, dev), "sent");
    } finally {
      process.stdout.write = write;
    }
    assert.match(printed.join(""), /mail not sent: SMTP not configured/);
    assert.match(printed.join(""), /To: dev@example\.test/);
    assert.equal((await row(second.id)).transport, "console");
    assert.equal(smtp.messages.length, 0);
  });
});

describe("bodies are sealed before they reach SQL", () => {
  test("the link is in no statement parameter and no stored byte; the worker opens it", async () => {
    const token = `${"S".repeat(40)}zz`;
    const statements: unknown[] = [];
    const { id } = await withServiceRole("mail.outbox", async (sdb) => {
      // Every statement and parameter this transaction sends, as the statement log would see them.
      const query = sdb.$client.query.bind(sdb.$client);
      (sdb.$client as { query: unknown }).query = (...args: unknown[]) => (statements.push(args[0], args[1]), (query as (...a: unknown[]) => unknown)(...args));
      try {
        return await enqueueMail(sdb, { to: "sealed@example.test", message: invitationMail({ timeZone: "UTC", tenantName: "T", role: "tenant_viewer", link: `http://x.localhost/invite#token=${token}`, expiresAt: new Date(Date.now() + 86_400_000) }) });
      } finally {
        (sdb.$client as { query: unknown }).query = query;
      }
    });
    const sent = JSON.stringify(statements, (_k, v) => (v && v.type === "Buffer" ? Buffer.from(v.data).toString("latin1") : v));
    assert.ok(sent.includes("sealed@example.test"), "control: the captured statements are the insert's");
    assert.ok(!sent.includes(token), "the token is in no statement or parameter");
    const r = await row(id);
    assert.ok(Buffer.isBuffer(r.body_sealed) && !r.body_sealed.toString("latin1").includes(token), "stored sealed");
    await deliver();
    assert.match((await smtp.waitFor((m) => m.to === "sealed@example.test")).text, new RegExp(token));
  });

  test("a body copied onto another row, or sealed under another NEXTAUTH_SECRET, is not sent: failed for good, saying why", async () => {
    const a = await withServiceRole("mail.outbox", (sdb) => enqueueMail(sdb, { to: "copy-a@example.test", message: message("h") }));
    const b = await withServiceRole("mail.outbox", (sdb) => enqueueMail(sdb, { to: "copy-b@example.test", message: message("i") }));
    await withClient(db.url, (c) => c.query("update mail.outbox set body_sealed = (select body_sealed from mail.outbox where id = $1) where id = $2", [a.id, b.id]));
    assert.equal(await deliverOne(b.id), "failed");
    const rb = await row(b.id);
    assert.equal(rb.status, "failed");
    assert.equal(rb.body_sealed, null);
    assert.match(rb.last_error, /cannot be opened/);

    process.env.NEXTAUTH_SECRET = "a-rotated-secret";
    try {
      assert.equal(await deliverOne(a.id), "failed", "another key does not open it, and no retry is queued");
    } finally {
      process.env.NEXTAUTH_SECRET = "mail-outbox-test-secret";
    }
    assert.match((await row(a.id)).last_error, /NEXTAUTH_SECRET changed/);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(smtp.messages.filter((m) => m.to.startsWith("copy-")).length, 0);
  });
});

describe("who can reach the outbox and the codes", () => {
  test("anon, authenticated (any tenant admin) and portal_app read and write neither table", async () => {
    await withClient(db.url, async (c) => {
      for (const role of ["anon", "authenticated", "portal_app"]) {
        for (const sql of ["select * from mail.outbox", "select * from mail.codes", "insert into mail.outbox (recipient, template, subject) values ('a@b.c', 'x', 'y')", "select mail.dispatch_pending()"]) {
          await c.query("begin");
          await c.query(`set local role ${role}`);
          assertRefused(await attempt(c, sql));
          await c.query("rollback");
        }
      }
    });
    for (const user of ["msspAdmin", "acmeAdmin", "globexAdmin"] as const) {
      await withTenant({ userId: fx.users[user] }, async (tx) => assertRefused(await attempt(tx.client, "select count(*) from mail.outbox")));
    }
  });

  test("RLS is enabled and forced on both tables", async () => {
    const rows = await withClient(db.url, async (c) =>
      (await c.query(`select relname, relrowsecurity, relforcerowsecurity from pg_class where relnamespace = 'mail'::regnamespace and relkind = 'r' order by 1`)).rows,
    );
    assert.deepEqual(rows, [
      { relname: "codes", relrowsecurity: true, relforcerowsecurity: true },
      { relname: "outbox", relrowsecurity: true, relforcerowsecurity: true },
    ]);
  });
});
