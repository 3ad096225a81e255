// Mail settings from the environment (docs/email.md, docs/deployment.md).
//
//   SMTP_URL                      smtp://user:pass@host:587 or smtps://…:465 (wins over the parts below)
//   SMTP_HOST, SMTP_PORT          the server (port default 587; 465 implies TLS from the start)
//   SMTP_USER, SMTP_PASSWORD      optional login
//   SMTP_SECURE                   "1": TLS from the start (default: on for port 465, else STARTTLS when offered)
//   SMTP_REQUIRE_TLS              "1": refuse to send over a server that does not offer STARTTLS
//   MAIL_FROM                     the From header, e.g. "MSSP portal <no-reply@example.com>"
//   MAIL_NEUTRAL_FROM             an address on a domain that names no MSSP, e.g. no-reply@notify-portal.example:
//                                 the From address, envelope sender and Message-ID domain of mail whose brand
//                                 hides the MSSP's (lib/mail/deliver.ts); unset: that mail keeps MAIL_FROM's
//
// Without SMTP_URL or SMTP_HOST, a development server (NODE_ENV is not
// "production") prints each message to its console instead of sending it
// ("console" mode, said so in the output); production marks the message
// failed with "SMTP is not configured", so nothing pretends to be sent.
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import { settings as currentSettings, type Settings } from "@/lib/config";

/** `neutralFrom`: MAIL_NEUTRAL_FROM (an address); null or absent when unset. */
export type MailSettings =
  | { mode: "smtp"; from: string; neutralFrom?: string | null; transport: SMTPTransport.Options; server: string }
  | { mode: "console"; from: string; neutralFrom?: string | null }
  | { mode: "unconfigured"; from: string; neutralFrom?: string | null };

const DEFAULT_FROM = "MSSP portal <no-reply@localhost>";

const yes = (v: string | undefined) => (v === undefined ? undefined : v === "1" || v === "true");

/** Where the server is, without credentials: safe to log and show. */
function describeServer(host: string, port: number, secure: boolean): string {
  return `${secure ? "smtps" : "smtp"}://${host}:${port}`;
}

/** Read at each delivery (settings() is cached until a variable changes). */
export function mailSettings(s: Settings = currentSettings()): MailSettings {
  const from = s.MAIL_FROM ?? DEFAULT_FROM;
  const neutralFrom = s.MAIL_NEUTRAL_FROM ?? null;
  const common = { requireTLS: s.SMTP_REQUIRE_TLS, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };
  if (s.SMTP_URL) {
    const url = new URL(s.SMTP_URL);
    const secure = url.protocol === "smtps:" || yes(s.SMTP_SECURE) === true;
    const port = Number(url.port || (secure ? 465 : 587));
    const auth = url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined;
    return { mode: "smtp", from, neutralFrom, server: describeServer(url.hostname, port, secure), transport: { host: url.hostname, port, secure, auth, ...common } };
  }
  if (s.SMTP_HOST) {
    const secure = yes(s.SMTP_SECURE) ?? s.SMTP_PORT === 465;
    const port = s.SMTP_PORT ?? (secure ? 465 : 587);
    const auth = s.SMTP_USER ? { user: s.SMTP_USER, pass: s.SMTP_PASSWORD ?? "" } : undefined;
    return { mode: "smtp", from, neutralFrom, server: describeServer(s.SMTP_HOST, port, secure), transport: { host: s.SMTP_HOST, port, secure, auth, ...common } };
  }
  return s.NODE_ENV === "production" ? { mode: "unconfigured", from, neutralFrom } : { mode: "console", from, neutralFrom };
}
