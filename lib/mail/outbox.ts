// Queuing mail: one row of mail.outbox, written in the caller's transaction
// so the message commits (and is handed to the job engine) exactly when the
// change it announces does. Works inside withTenant (the row is written on
// the named service-role path "mail.outbox" inside that same transaction:
// authenticated may not touch the outbox) and inside withServiceRole.
// The body is sealed here (lib/mail/seal.ts): no link or code is ever a
// statement parameter. Its id is chosen here because the seal binds it.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { withServiceRoleIn } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { sealMailBody } from "./seal";
import type { RenderedMail } from "./templates";

export const recipientSchema = z.string().trim().toLowerCase().email().max(254);

export interface QueuedMail {
  id: string;
}

export interface EnqueueMailInput {
  /** The address, as the outbox stores it (lower case). */
  to: string;
  /** The tenant the message is about (its admins' business; cascades with the tenant), if any. */
  tenantId?: string | null;
  message: RenderedMail;
  /** Delivery attempts before the message is marked failed (default 8: about 20 minutes of backoff). */
  maxAttempts?: number;
}

/** Queues one message in the transaction `db` belongs to; delivery starts once it commits. */
export async function enqueueMail(db: Db, input: EnqueueMailInput): Promise<QueuedMail> {
  const to = recipientSchema.parse(input.to);
  const id = randomUUID();
  const sealed = sealMailBody(id, { text: input.message.text, html: input.message.html, fromName: input.message.fromName, hideMssp: input.message.hideMssp });
  return withServiceRoleIn("mail.outbox", db, async (sdb) => {
    const { rows } = await sdb.$client.query<{ id: string }>(
      `insert into mail.outbox (id, tenant_id, recipient, template, subject, body_sealed, max_attempts)
       values ($1, $2, $3, $4, $5, $6, coalesce($7::int, 8))
       returning id`,
      [id, input.tenantId ?? null, to, input.message.template, input.message.subject, sealed, input.maxAttempts ?? null],
    );
    return { id: rows[0].id };
  });
}

export interface OutboxStatus {
  id: string;
  tenantId: string | null;
  recipient: string;
  template: string;
  subject: string;
  status: "queued" | "sent" | "failed";
  attempts: number;
  lastError: string | null;
  transport: "smtp" | "console" | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** The delivery state of messages (never their bodies), for commands, tests and pages that show "sent / failed". */
export async function outboxStatus(db: Db, ids: readonly string[]): Promise<OutboxStatus[]> {
  if (ids.length === 0) return [];
  return withServiceRoleIn("mail.outbox", db, async (sdb) => {
    const { rows } = await sdb.$client.query(
      `select id, tenant_id as "tenantId", recipient, template, subject, status, attempts, last_error as "lastError",
              transport, created_at as "createdAt", sent_at as "sentAt"
         from mail.outbox where id = any ($1::uuid[]) order by created_at`,
      [ids],
    );
    return rows as OutboxStatus[];
  });
}
