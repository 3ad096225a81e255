// Delivering the outbox: the graphile-worker task "mail:deliver" (one job per
// message, queued by the trigger on mail.outbox in the sender's transaction).
// Each attempt: claim the row (attempts + 1), send outside any transaction,
// then mark it sent (bodies erased) or record the scrubbed error and throw,
// so graphile-worker retries it with its backoff (exp(min(attempt, 10)) s).
// The last attempt marks the row failed (bodies erased): the one that reaches
// the row's max_attempts, or graphile-worker's own last one (its count runs
// ahead of the row's when an attempt died before or after the claim: the row
// would otherwise stay queued). What no attempt recorded, mail:sweep fails
// (lib/mail/stranded.ts). The stored reason is a category (failure.ts); the
// raw error goes to the log only.
// Delivery is at least once: a worker that dies between the SMTP answer and
// the "sent" update sends the message again on its retry.
// Mail whose brand hides the MSSP's (body.hideMssp) is sent from
// MAIL_NEUTRAL_FROM: From address, envelope sender and Message-ID domain, so
// none of them names MAIL_FROM's (the MSSP's) domain. Without it, such mail
// keeps MAIL_FROM's address and a warning is logged once per process.
import { randomUUID } from "node:crypto";
import nodemailer from "nodemailer";
import type { Task } from "graphile-worker";
import { z } from "zod";
import { withServiceRole } from "@/lib/db/service-role";
import { isLastAttempt, type JobAttempts } from "@/lib/jobs/spent";
import { registerCronItem, registerEngineTask } from "@/lib/jobs/worker";
import { log, safeError } from "@/lib/log";
import { mailSettings, type MailSettings } from "./config";
import { smtpFailureReason } from "./failure";
import { openMailBody, type MailBody } from "./seal";
import { sweepStrandedMail } from "./stranded";

export const MAIL_TASK = "mail:deliver";

interface ClaimedMail {
  id: string;
  recipient: string;
  subject: string;
  template: string;
  body_sealed: Buffer | null;
  attempts: number;
  max_attempts: number;
}

class MailNotConfiguredError extends Error {
  override readonly name = "MailNotConfiguredError";
  constructor() {
    super("SMTP is not configured (set SMTP_URL or SMTP_HOST; docs/email.md): the message was not sent");
  }
}

const transports = new Map<string, nodemailer.Transporter>();
function transportFor(settings: Extract<MailSettings, { mode: "smtp" }>): nodemailer.Transporter {
  const key = JSON.stringify(settings.transport);
  let t = transports.get(key);
  if (!t) {
    t = nodemailer.createTransport(settings.transport);
    transports.set(key, t);
  }
  return t;
}

async function claim(id: string): Promise<ClaimedMail | null> {
  return withServiceRole("mail.outbox", async (db) => {
    const { rows } = await db.$client.query<ClaimedMail>(
      `update mail.outbox set attempts = attempts + 1
        where id = $1 and status = 'queued'
        returning id, recipient, subject, template, body_sealed, attempts, max_attempts`,
      [id],
    );
    return rows[0] ?? null;
  });
}

async function markSent(id: string, transport: "smtp" | "console", messageId: string | null): Promise<void> {
  await withServiceRole("mail.outbox", (db) =>
    db.$client.query(
      `update mail.outbox set status = 'sent', sent_at = now(), transport = $2, message_id = $3,
              last_error = null, body_sealed = null
        where id = $1`,
      [id, transport, messageId],
    ),
  );
}

async function recordFailure(id: string, reason: string, final: boolean): Promise<void> {
  await withServiceRole("mail.outbox", (db) =>
    db.$client.query(
      final
        ? `update mail.outbox set status = 'failed', failed_at = now(), last_error = $2, body_sealed = null where id = $1`
        : `update mail.outbox set last_error = $2 where id = $1`,
      [id, reason.slice(0, 500)],
    ),
  );
}

/** MAIL_FROM's address under the brand's sender name (nodemailer quotes the name); MAIL_FROM as is without one. */
function fromAddress(from: string, name: string | undefined): string | { name: string; address: string } {
  if (!name) return from;
  const address = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from)?.[1] ?? from.trim();
  return { name: name.replace(/["\\\r\n]/g, ""), address };
}
const headerOf = (f: string | { name: string; address: string }) => (typeof f === "string" ? f : `"${f.name}" <${f.address}>`);

let warnedNoNeutralFrom = false;

/**
 * Who a message is from. Mail whose brand hides the MSSP's, with MAIL_NEUTRAL_FROM set: that
 * address under the brand's sender name, as the envelope sender (MAIL FROM) too, and a
 * Message-ID on its domain (set here, not left to nodemailer's derivation from the From address).
 * Anything else: MAIL_FROM's address under the brand's name, as before.
 */
function senderOf(settings: MailSettings, body: Pick<MailBody, "fromName" | "hideMssp">): {
  from: string | { name: string; address: string };
  envelopeFrom?: string;
  messageId?: string;
} {
  if (body.hideMssp && settings.neutralFrom) {
    const address = settings.neutralFrom;
    return {
      from: fromAddress(address, body.fromName),
      envelopeFrom: address,
      messageId: `<${randomUUID()}@${address.slice(address.lastIndexOf("@") + 1)}>`,
    };
  }
  if (body.hideMssp && !warnedNoNeutralFrom) {
    warnedNoNeutralFrom = true;
    log.warn(
      { event: "mail.neutral-from-unset" },
      "mail to a tenant whose brand hides the MSSP's is sent from MAIL_FROM's address, whose domain its recipients see: set MAIL_NEUTRAL_FROM (docs/email.md#settings)",
    );
  }
  return { from: fromAddress(settings.from, body.fromName) };
}

/** Development without SMTP: the message goes to the console, said plainly (never to the structured log). */
function printToConsole(m: ClaimedMail, body: MailBody, from: string): void {
  const rule = "─".repeat(72);
  process.stdout.write(
    [
      "",
      rule,
      "mail not sent: SMTP not configured — development prints it here instead (docs/email.md)",
      `From: ${from}`,
      `To: ${m.recipient}`,
      `Subject: ${m.subject}`,
      "",
      body.text,
      rule,
      "",
    ].join("\n"),
  );
}

/** One delivery attempt of one message. Throws (for graphile-worker to retry) when the attempt failed and attempts remain. */
export async function deliverOne(id: string, settings: MailSettings = mailSettings(), job?: JobAttempts): Promise<"sent" | "failed" | "retrying" | "skipped"> {
  const m = await claim(id);
  if (!m) return "skipped"; // already sent, failed for good, or gone with its tenant
  const final = isLastAttempt(m, job);
  let body: MailBody;
  try {
    if (!m.body_sealed) throw new Error("no body");
    body = openMailBody(m.id, m.body_sealed);
  } catch {
    // Retrying cannot help: the key (NEXTAUTH_SECRET) changed since it was queued, or the row was altered.
    await recordFailure(m.id, "the message body cannot be opened (NEXTAUTH_SECRET changed since it was queued, or the row was altered): send it again", true);
    log.error({ event: "mail.unopenable", mailId: m.id, template: m.template }, "mail not sent: its sealed body cannot be opened");
    return "failed";
  }
  try {
    if (settings.mode === "unconfigured") {
      await recordFailure(m.id, new MailNotConfiguredError().message, true);
      log.error({ event: "mail.not-configured", mailId: m.id, template: m.template }, "mail not sent: SMTP is not configured");
      return "failed";
    }
    const sender = senderOf(settings, body);
    if (settings.mode === "console") {
      printToConsole(m, body, headerOf(sender.from));
      await markSent(m.id, "console", null);
      log.warn({ event: "mail.console", mailId: m.id, template: m.template }, "mail not sent: SMTP not configured (development: printed to the console)");
      return "sent";
    }
    const info = await transportFor(settings).sendMail({
      from: sender.from,
      ...(sender.envelopeFrom ? { envelope: { from: sender.envelopeFrom, to: m.recipient } } : {}),
      ...(sender.messageId ? { messageId: sender.messageId } : {}),
      to: m.recipient,
      subject: m.subject,
      text: body.text,
      html: body.html,
    });
    await markSent(m.id, "smtp", typeof info.messageId === "string" ? info.messageId.slice(0, 300) : null);
    log.info({ event: "mail.sent", mailId: m.id, template: m.template, attempt: m.attempts }, "mail sent");
    return "sent";
  } catch (error) {
    // The row gets a category and the reply code (customer admins read it);
    // the log gets the error, without the SMTP credentials. Bodies are not part of an error.
    const auth = settings.mode === "smtp" ? (settings.transport.auth as { user?: string; pass?: string } | undefined) : undefined;
    const summary = safeError(error, [auth?.pass, auth?.user].filter((s): s is string => !!s));
    await recordFailure(m.id, smtpFailureReason(error), final);
    log.warn({ event: final ? "mail.failed" : "mail.retrying", mailId: m.id, template: m.template, attempt: m.attempts, err: summary }, "mail delivery attempt failed");
    if (final) return "failed";
    throw new Error(`mail ${m.id}: attempt ${m.attempts} failed; retrying`);
  }
}

const payloadSchema = z.object({ id: z.string().uuid() });

const deliverTask: Task = async (payload, helpers) => {
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) {
    log.error({ event: "mail.bad-payload" }, "a mail job does not point at an outbox row; dropped");
    return;
  }
  await deliverOne(parsed.data.id, mailSettings(), helpers.job);
};

export const MAIL_SWEEP_TASK = "mail:sweep";
export const MAIL_SWEEP_CRONTAB = `*/15 * * * * ${MAIL_SWEEP_TASK}`;
const sweepTask: Task = async () => {
  await sweepStrandedMail();
};

let registered = false;
/** Makes every worker of this process deliver mail (lib/jobs/default-handlers.ts calls it). */
export function registerMailDelivery(): void {
  if (registered) return;
  registered = true;
  registerEngineTask(MAIL_TASK, deliverTask);
  registerEngineTask(MAIL_SWEEP_TASK, sweepTask);
  registerCronItem(MAIL_SWEEP_CRONTAB);
}
