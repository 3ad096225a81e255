// Queued mail bodies are sealed before they reach SQL: they carry live links
// and codes (an invitation token, a reset code), and an INSERT's parameters
// can land in the Postgres statement log, a replica or a backup. Sealed with
// AES-256-GCM under a key derived from NEXTAUTH_SECRET for this use only, the
// row id as additional data (a body copied onto another row does not open).
// Only the delivering worker opens it; it is erased once sent or failed.
import { open, seal } from "@/lib/crypto/aead";
import { serverDerivedKey } from "@/lib/crypto/server-key";

const MAIL_KEY = { use: "queued mail bodies", salt: "mssp-portal/mail/outbox", info: "mail.outbox.body_sealed v1 aes-256-gcm" };
const FORMAT = 0x01;

export interface MailBody {
  text: string;
  html: string;
  /** The From display name (the tenant's brand, lib/branding); absent: MAIL_FROM's as is. */
  fromName?: string;
  /** The recipient's brand hides the MSSP's: send from MAIL_NEUTRAL_FROM (lib/mail/deliver.ts). Absent in bodies sealed before it existed. */
  hideMssp?: boolean;
}

const aad = (outboxId: string) => `mail.outbox.body_sealed:${outboxId.toLowerCase()}`;

export function sealMailBody(outboxId: string, body: MailBody, secret?: string): Buffer {
  const key = serverDerivedKey(MAIL_KEY, secret);
  return Buffer.concat([Buffer.of(FORMAT), seal(key, aad(outboxId), JSON.stringify({ t: body.text, h: body.html, ...(body.fromName ? { f: body.fromName } : {}), ...(body.hideMssp ? { n: 1 } : {}) }))]);
}

/** Throws SealOpenError (lib/crypto/aead) if the body was sealed under another NEXTAUTH_SECRET, for another row, or altered. */
export function openMailBody(outboxId: string, sealed: Buffer, secret?: string): MailBody {
  if (sealed[0] !== FORMAT) throw new Error("unknown sealed mail format");
  const key = serverDerivedKey(MAIL_KEY, secret);
  const { t, h, f, n } = JSON.parse(open(key, aad(outboxId), sealed.subarray(1)).toString("utf8")) as { t: string; h: string; f?: string; n?: number };
  return { text: t, html: h, ...(typeof f === "string" && f ? { fromName: f } : {}), ...(n === 1 ? { hideMssp: true } : {}) };
}
