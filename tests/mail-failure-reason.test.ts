// What a failed SMTP attempt stores on its outbox row: a category and the
// server's reply code, never nodemailer's text (customer admins read the row:
// it would name internal hosts and addresses, the SMTP user, or quote the
// server). Real nodemailer errors from real sockets on loopback: a closed
// port, a name that does not resolve, a server that never greets, a real SMTP
// server (smtp-server) refusing the login or the recipient; and end to end, a
// message whose login is refused stores only the category.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { withServiceRole } from "@/lib/db/service-role";
import { enqueueMail, invitationMail } from "@/lib/mail";
import { deliverOne } from "@/lib/mail/deliver";
import { smtpFailureReason } from "@/lib/mail/failure";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const USER = "svc-mailer@corp.internal";
const PASS = "hunter2-smtp-pass";
let db: TestDatabase;
let strict: SMTPServer;
let strictPort = 0;
let silent: net.Server;
let silentPort = 0;
let closedPort = 0;

const listen = async (server: { listen: (port: number, host: string, cb: () => void) => unknown }, addr: () => net.AddressInfo) => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return addr().port;
};

before(async () => {
  process.env.NEXTAUTH_SECRET = "mail-failure-reason-test-secret";
  db = await createTestDatabase();
  // A server that refuses the login (quoting the user back) and rejects one recipient, naming an internal list.
  strict = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, cb) {
      const err = new Error(`5.7.8 user ${auth.username} is locked on mx1.corp.internal`) as Error & { responseCode: number };
      err.responseCode = 535;
      cb(err);
    },
    onRcptTo(address, _session, cb) {
      const err = new Error(`5.1.1 <${address.address}> unknown on list-server.corp.internal`) as Error & { responseCode: number };
      err.responseCode = 550;
      cb(err);
    },
  });
  strictPort = await listen(strict.server as never, () => strict.server.address() as net.AddressInfo);
  silent = net.createServer(() => {}); // accepts, never greets
  silentPort = await listen(silent, () => silent.address() as net.AddressInfo);
  const closing = net.createServer();
  closedPort = await listen(closing, () => closing.address() as net.AddressInfo);
  await new Promise<void>((r) => closing.close(() => r()));
});
after(async () => {
  await new Promise<void>((r) => strict.close(() => r()));
  silent.close();
  await db.drop();
});

async function failureOf(options: Record<string, unknown>): Promise<{ raw: string; reason: string }> {
  const t = nodemailer.createTransport({ ignoreTLS: true, connectionTimeout: 3000, greetingTimeout: 300, ...options } as never);
  try {
    await t.sendMail({ from: "portal@example.test", to: "someone@example.test", subject: "s", text: "t" });
  } catch (error) {
    return { raw: String((error as Error).message), reason: smtpFailureReason(error) };
  } finally {
    t.close();
  }
  throw new Error("the send did not fail");
}

/** The stored reason names no host, address, port, user or server text. */
function assertBare(reason: string, secrets: string[]): void {
  for (const s of ["127.0.0.1", "corp.internal", "ECONN", "ENOTFOUND", "getaddrinfo", "locked", "unknown on", ...secrets]) assert.ok(!reason.includes(s), `"${reason}" includes ${s}`);
}

describe("the stored reason of a failed SMTP attempt", () => {
  test("a closed port: connection refused, without the address", async () => {
    const { raw, reason } = await failureOf({ host: "127.0.0.1", port: closedPort });
    assert.match(raw, /ECONNREFUSED 127\.0\.0\.1/, "control: nodemailer's text names the address");
    assert.equal(reason, "the mail server refused the connection");
    assertBare(reason, [String(closedPort)]);
  });

  test("a host name that does not resolve: said so, without the name", async () => {
    const { raw, reason } = await failureOf({ host: "smtp.corp.internal.invalid", port: 587 });
    assert.match(raw, /corp\.internal/, "control: nodemailer's text names the host");
    assert.equal(reason, "the mail server's host name does not resolve");
    assertBare(reason, []);
  });

  test("a server that never greets: a timeout", async () => {
    const { reason } = await failureOf({ host: "127.0.0.1", port: silentPort });
    assert.equal(reason, "the mail server did not answer in time");
  });

  test("a refused login: authentication failed with the reply code, without the user or the server's text", async () => {
    const { raw, reason } = await failureOf({ host: "127.0.0.1", port: strictPort, auth: { user: USER, pass: PASS } });
    assert.match(raw, /locked on mx1\.corp\.internal/, "control: nodemailer's text quotes the server");
    assert.equal(reason, "the mail server refused the portal's credentials (authentication failed) (SMTP 535)");
    assertBare(reason, [USER, PASS]);
  });

  test("a rejected recipient: said so with the reply code, without the server's text", async () => {
    const { raw, reason } = await failureOf({ host: "127.0.0.1", port: strictPort });
    assert.match(raw, /list-server\.corp\.internal/);
    assert.equal(reason, "the mail server rejected the sender or the recipient (SMTP 550)");
    assertBare(reason, []);
  });

  test("end to end: the outbox row keeps the category only", async () => {
    const message = invitationMail({ timeZone: "UTC", tenantName: "T", role: "tenant_viewer", link: "http://x.localhost/invite#token=abc", expiresAt: new Date(Date.now() + 86_400_000) });
    const { id } = await withServiceRole("mail.outbox", (sdb) => enqueueMail(sdb, { to: "e2e@example.test", message, maxAttempts: 1 }));
    const settings = {
      mode: "smtp" as const,
      from: "portal@example.test",
      server: `127.0.0.1:${strictPort}`,
      transport: { host: "127.0.0.1", port: strictPort, secure: false, ignoreTLS: true, auth: { user: USER, pass: PASS } },
    };
    assert.equal(await deliverOne(id, settings), "failed");
    const [row] = await withClient(db.url, async (c) => (await c.query("select status, last_error from mail.outbox where id = $1", [id])).rows);
    assert.deepEqual(row, { status: "failed", last_error: "the mail server refused the portal's credentials (authentication failed) (SMTP 535)" });
  });
});
