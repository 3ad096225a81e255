// Mail the e2e server's real SMTP server received (scripts/e2e-server.ts
// appends each message to .data/e2e/mail.jsonl).
import { readFile } from "node:fs/promises";
import path from "node:path";

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
}

const MAIL_LOG = path.join(process.cwd(), ".data", "e2e", "mail.jsonl");

async function all(): Promise<ReceivedMail[]> {
  const text = await readFile(MAIL_LOG, "utf8").catch(() => "");
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as ReceivedMail);
}

/** The latest message to `to` whose subject matches, waiting up to `timeoutMs` for it; `after`: how many such messages to skip. */
export async function waitForMail(to: string, subject: RegExp, opts: { after?: number; timeoutMs?: number } = {}): Promise<ReceivedMail> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    const found = (await all()).filter((m) => m.to === to && subject.test(m.subject));
    if (found.length > (opts.after ?? 0)) return found[found.length - 1];
    if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${subject} (log: ${MAIL_LOG})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function mailCount(to: string, subject: RegExp): Promise<number> {
  return (await all()).filter((m) => m.to === to && subject.test(m.subject)).length;
}

export const codeIn = (m: ReceivedMail) => /\b(\d{6})\b/.exec(m.text)?.[1] ?? "";
export const linkIn = (m: ReceivedMail) => /(https?:\/\/\S+)/.exec(m.text)?.[1] ?? "";
