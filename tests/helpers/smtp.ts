// A real SMTP server for tests (smtp-server, from the nodemailer project), on
// a free loopback port, that keeps every message it accepts, parsed
// (mailparser). Point the portal at it with `useSmtp(server)` (sets SMTP_URL
// and MAIL_FROM in this process) or pass `server.url` to a child process.
//
//   const smtp = await startSmtpServer();
//   useSmtp(smtp);
//   … send …
//   const mail = await smtp.waitFor((m) => m.to === "a@example.test");
//   await smtp.stop();
//
// `failNext(n)` makes the next n messages fail with a temporary 451, to test retries.
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface CapturedMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
  receivedAt: Date;
}

export interface TestSmtpServer {
  url: string;
  port: number;
  messages: CapturedMail[];
  /** Resolves with the first message (already received or arriving within `timeoutMs`) that matches. */
  waitFor(match: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  failNext(count: number): void;
  clear(): void;
  stop(): Promise<void>;
}

/** `onMessage`: called with each accepted message (scripts/e2e-server.ts writes them to a file for Playwright). */
export async function startSmtpServer(opts: { onMessage?: (m: CapturedMail) => void } = {}): Promise<TestSmtpServer> {
  const messages: CapturedMail[] = [];
  const waiters = new Set<() => void>();
  let failures = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (failures > 0) {
          failures--;
          const err = new Error("Try again later (test server)") as Error & { responseCode: number };
          err.responseCode = 451;
          return callback(err);
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        simpleParser(raw)
          .then((parsed) => {
            const mail: CapturedMail = {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              to: session.envelope.rcptTo.map((r) => r.address).join(","),
              subject: parsed.subject ?? "",
              text: parsed.text ?? "",
              html: typeof parsed.html === "string" ? parsed.html : "",
              raw,
              receivedAt: new Date(),
            };
            messages.push(mail);
            opts.onMessage?.(mail);
            for (const w of waiters) w();
            callback();
          })
          .catch((e: Error) => callback(e));
      });
    },
  });
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    waitFor(match, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching mail within ${timeoutMs} ms (received ${messages.length}: ${messages.map((m) => `${m.to} "${m.subject}"`).join("; ")})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    failNext(count) {
      failures = count;
    },
    clear() {
      messages.length = 0;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Points this process's mail settings at the server (lib/mail reads them at each delivery). */
export function useSmtp(server: TestSmtpServer): void {
  process.env.SMTP_URL = server.url;
  process.env.MAIL_FROM = "MSSP portal tests <portal@example.test>";
  delete process.env.SMTP_HOST;
}

/** The 6-digit code in a message's text, if any. */
export function codeIn(mail: CapturedMail): string {
  const m = /\b(\d{6})\b/.exec(mail.text);
  if (!m) throw new Error(`no code in mail "${mail.subject}"`);
  return m[1];
}

/** The first link in a message's text. */
export function linkIn(mail: CapturedMail): string {
  const m = /(https?:\/\/\S+)/.exec(mail.text);
  if (!m) throw new Error(`no link in mail "${mail.subject}"`);
  return m[1];
}
