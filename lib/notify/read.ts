// The last deliveries of a tenant's channels, for its admins (RLS: admins of
// the tenant or an ancestor read them). An email delivery's state is its
// outbox message's (lib/mail outboxStatus: never the body).
import type { TenantTx } from "@/lib/db/with-tenant";
import { outboxStatus } from "@/lib/mail";

export type DeliveryStatus = "queued" | "delivered" | "failed";

export interface DeliveryView {
  id: string;
  channelId: string;
  channelName: string;
  kind: "webhook" | "email";
  reason: "test" | "rule" | "escalation" | "health";
  status: DeliveryStatus;
  attempts: number;
  maxAttempts: number;
  responseStatus: number | null;
  lastError: string | null;
  alertTitle: string | null;
  ruleName: string | null;
  recipient: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

interface Row {
  id: string;
  channel_id: string;
  channel_name: string;
  kind: "webhook" | "email";
  reason: "test" | "rule" | "escalation" | "health";
  status: DeliveryStatus;
  attempts: number;
  max_attempts: number;
  response_status: number | null;
  last_error: string | null;
  payload: { alert?: { title?: string } | null; rule?: { name?: string } | null; recipient?: string };
  mail_id: string | null;
  created_at: Date;
  delivered_at: Date | null;
  failed_at: Date | null;
}

export async function recentDeliveries(tx: TenantTx, tenantId: string, limit = 20): Promise<DeliveryView[]> {
  const { rows } = await tx.client.query<Row>(
    `select d.id, d.channel_id, c.name as channel_name, d.kind, d.reason, d.status, d.attempts, d.max_attempts, d.response_status,
            d.last_error, d.payload, d.mail_id, d.created_at, d.delivered_at, d.failed_at
       from public.notification_deliveries d
       join public.notification_channels c on c.tenant_id = d.tenant_id and c.id = d.channel_id
      where d.tenant_id = $1
      order by d.created_at desc, d.id
      limit $2`,
    [tenantId, limit],
  );
  const mailIds = rows.map((r) => r.mail_id).filter((x): x is string => x !== null);
  const mail = new Map((await outboxStatus(tx.db, mailIds)).map((m) => [m.id, m]));
  return rows.map((r) => {
    const m = r.mail_id ? mail.get(r.mail_id) : undefined;
    const status: DeliveryStatus = m ? (m.status === "sent" ? "delivered" : m.status) : r.status;
    return {
      id: r.id,
      channelId: r.channel_id,
      channelName: r.channel_name,
      kind: r.kind,
      reason: r.reason,
      status,
      attempts: m ? m.attempts : r.attempts,
      maxAttempts: r.max_attempts,
      responseStatus: r.response_status,
      lastError: m ? m.lastError : r.last_error,
      alertTitle: r.payload.alert?.title ?? null,
      ruleName: r.payload.rule?.name ?? null,
      recipient: r.payload.recipient ?? null,
      createdAt: new Date(r.created_at),
      finishedAt: m ? (m.sentAt ? new Date(m.sentAt) : null) : r.delivered_at ? new Date(r.delivered_at) : r.failed_at ? new Date(r.failed_at) : null,
    };
  });
}
