// Queuing a notification to a channel: one delivery row per message, written
// in the caller's transaction on the service role (deliveries are the
// portal's record; nobody writes them under RLS), so the message exists
// exactly when the change it announces does.
//   webhook: the row's trigger hands it to graphile-worker (task
//            notify:deliver, deliver.ts) in the same transaction;
//   email:   one mail.outbox message per recipient (lib/mail: the one
//            outbox), whose id the delivery row keeps; the outbox delivers
//            and retries, and the page reads its status from there.
import { withServiceRoleIn } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { brandOfTenant } from "@/lib/branding/resolve";
import { enqueueMail, healthChangeMail, workflowAlertMail } from "@/lib/mail";

/**
 * An email's attempts are its outbox message's: the delivery row is given the same maximum so the page
 * ("attempt n of max", read.ts) counts both from one message (lib/mail's default is 8, webhooks' 6).
 */
export const MAIL_MAX_ATTEMPTS = 8;

export type DeliveryReason = "test" | "rule" | "escalation" | "health";

/** A tenant's health change (lib/health): the states and the reasons, in words. */
export interface HealthSummary {
  tenantId: string;
  tenantName: string;
  from: string;
  to: string;
  reasons: string[];
  at: string;
  link: string | null;
}

/** What a notification says about an alert: no secret, nothing but the alert's summary. */
export interface AlertSummary {
  tenantId: string;
  tenantName: string;
  id: string;
  title: string;
  severity: string;
  source: string;
  hostname: string | null;
  status: string;
  detectedAt: string;
  link: string | null;
}

export interface NotificationRequest {
  channel: { tenantId: string; id: string; kind: "webhook" | "email"; recipients: string[]; tenantName: string };
  reason: DeliveryReason;
  alert?: AlertSummary | null;
  rule?: { tenantId: string; id: string; name: string; version: number } | null;
  /** reason "health": the change announced (no alert, no rule). */
  health?: HealthSummary | null;
}

/** The JSON body a webhook receives (docs/workflows.md). */
export function payloadOf(req: NotificationRequest, deliveryId: string): Record<string, unknown> {
  return {
    type: req.reason === "test" ? "test" : req.reason === "health" ? "tenant.health_changed" : req.reason === "escalation" ? "alert.escalated" : "alert.routed",
    delivery_id: deliveryId,
    tenant: { id: req.channel.tenantId, name: req.channel.tenantName },
    alert: req.alert
      ? {
          tenant_id: req.alert.tenantId,
          tenant_name: req.alert.tenantName,
          id: req.alert.id,
          title: req.alert.title,
          severity: req.alert.severity,
          source: req.alert.source,
          hostname: req.alert.hostname,
          status: req.alert.status,
          detected_at: req.alert.detectedAt,
          url: req.alert.link,
        }
      : null,
    rule: req.rule ? { id: req.rule.id, name: req.rule.name, version: req.rule.version } : null,
    ...(req.health
      ? { health: { tenant_id: req.health.tenantId, tenant_name: req.health.tenantName, from: req.health.from, to: req.health.to, reasons: req.health.reasons, at: req.health.at, url: req.health.link } }
      : {}),
  };
}

/** Queues the notification in `db`'s transaction (a withTenant or a service-role one). Returns the delivery ids. */
export async function queueNotification(db: Db, req: NotificationRequest): Promise<string[]> {
  return withServiceRoleIn("workflows.engine", db, async (sdb) => {
    const alertKey = [req.alert?.tenantId ?? null, req.alert?.id ?? null, req.rule?.id ?? null] as const;
    if (req.channel.kind === "webhook") {
      const id = crypto.randomUUID();
      await sdb.$client.query(
        `insert into public.notification_deliveries (tenant_id, id, channel_id, kind, reason, alert_tenant_id, alert_id, rule_id, payload)
         values ($1, $2, $3, 'webhook', $4, $5, $6, $7, $8)`,
        [req.channel.tenantId, id, req.channel.id, req.reason, ...alertKey, payloadOf(req, id)],
      );
      return [id];
    }
    const ids: string[] = [];
    // In the brand of the channel's tenant (its people are the recipients; lib/branding).
    const brand = req.channel.recipients.length > 0 ? await brandOfTenant(req.channel.tenantId) : undefined;
    for (const to of req.channel.recipients) {
      const id = crypto.randomUUID();
      const mail = await enqueueMail(sdb, {
        to,
        tenantId: req.channel.tenantId,
        maxAttempts: MAIL_MAX_ATTEMPTS,
        message: req.health
          ? healthChangeMail({ ...req.health, brand })
          : workflowAlertMail({
          reason: req.reason === "health" ? "test" : req.reason,
          tenantName: req.alert?.tenantName ?? req.channel.tenantName,
          ruleName: req.rule?.name ?? null,
          alert: req.alert ?? null,
          link: req.alert?.link ?? null,
          brand,
        }),
      });
      await sdb.$client.query(
        `insert into public.notification_deliveries (tenant_id, id, channel_id, kind, reason, alert_tenant_id, alert_id, rule_id, payload, mail_id, max_attempts)
         values ($1, $2, $3, 'email', $4, $5, $6, $7, $8, $9, $10)`,
        [req.channel.tenantId, id, req.channel.id, req.reason, ...alertKey, { ...payloadOf(req, id), recipient: to }, mail.id, MAIL_MAX_ATTEMPTS],
      );
      ids.push(id);
    }
    return ids;
  });
}
