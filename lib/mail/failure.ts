// What a failed SMTP attempt records on its outbox row (mail.outbox.last_error).
// The row's error reaches customer admins (a notification channel's delivery
// list shows it), so it is a fixed category plus the server's reply code, never
// nodemailer's text: that names internal hosts and addresses ("connect
// ECONNREFUSED 10.0.3.17:587", "getaddrinfo ENOTFOUND smtp.corp.internal"),
// the SMTP user, or quotes the server's reply. The raw text goes to the log only.

interface SmtpError {
  code?: unknown;
  responseCode?: unknown;
}

/** A 3-digit SMTP reply code, when the server answered one. */
function replyCode(error: unknown): number | null {
  const c = (error as SmtpError | null)?.responseCode;
  return typeof c === "number" && Number.isInteger(c) && c >= 200 && c <= 599 ? c : null;
}

const CATEGORIES: Record<string, string> = {
  ETIMEDOUT: "the mail server did not answer in time",
  ECONNECTION: "the connection to the mail server failed",
  ESOCKET: "the connection to the mail server failed",
  EDNS: "the mail server's host name does not resolve",
  ETLS: "the TLS handshake with the mail server failed",
  EREQUIRETLS: "the TLS handshake with the mail server failed",
  EAUTH: "the mail server refused the portal's credentials (authentication failed)",
  ENOAUTH: "the mail server refused the portal's credentials (authentication failed)",
  EENVELOPE: "the mail server rejected the sender or the recipient",
  EMESSAGE: "the mail server rejected the message",
  EPROTOCOL: "the mail server answered something unexpected",
};

/**
 * The reason stored for a failed SMTP attempt: a category and, when the server
 * answered one, its reply code ("… (SMTP 451)"). Nothing from the error's text.
 */
export function smtpFailureReason(error: unknown): string {
  const code = (error as SmtpError | null)?.code;
  const reply = replyCode(error);
  let category = typeof code === "string" ? CATEGORIES[code] : undefined;
  // Refused and unreachable are told apart for the operator; the address is not.
  if (code === "ECONNECTION" || code === "ESOCKET") {
    const text = String((error as Error).message ?? "");
    if (/ECONNREFUSED/.test(text)) category = "the mail server refused the connection";
    else if (/ENOTFOUND|EAI_AGAIN/.test(text)) category = CATEGORIES.EDNS;
    else if (/ETIMEDOUT|timed? ?out/i.test(text)) category = CATEGORIES.ETIMEDOUT;
  }
  // A 4xx reply is the server asking to try later, whatever step it answered.
  if ((code === "EMESSAGE" || code === "EENVELOPE") && reply !== null && reply < 500) category = "the mail server deferred the message";
  if (!category) category = reply === null ? "the mail could not be sent" : reply >= 500 ? "the mail server rejected the message" : "the mail server deferred the message";
  if (reply !== null) category += ` (SMTP ${reply}${reply < 500 ? ", temporary" : ""})`;
  return category;
}
