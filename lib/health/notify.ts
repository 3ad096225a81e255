// A change of a tenant's health, announced to the tenant's default
// recipients (lib/rules/defaults.ts: the notifications.webhook_ids and
// notifications.emails settings, inherited down the tree), through the same
// senders a routing rule uses: each default webhook gets a delivery row
// (lib/notify queueNotification, reason "health", delivered by the
// notify:deliver task), each default address an outbox message (lib/mail
// enqueueMail). Queued in the evaluation's transaction. In the portal, the
// change is the transition row itself: the console's /health page and the
// tenant's /status page list the recent ones.
import type { Db } from "@/lib/db/with-tenant";
import { enqueueMail, healthChangeMail } from "@/lib/mail";
import { queueNotification, type HealthSummary } from "@/lib/notify";
import { defaultRecipients } from "@/lib/rules/defaults";
import { primaryDomainSql } from "@/lib/domains/resolve";
import { publicOriginForTenant } from "@/lib/tenancy/origin";
import { brandOfTenant } from "@/lib/branding/resolve";
import { STATE_LABELS, type HealthState, type Signal } from "./signals";

export interface Transition {
  tenantId: string;
  id: string;
  from: HealthState;
  to: HealthState;
  reasons: Signal[];
  at: Date;
}

function statusLink(slug: string, customDomain: string | null): string | null {
  try {
    return `${publicOriginForTenant(slug, customDomain)}/status`;
  } catch {
    return null;
  }
}

/** Queues the change's notifications in `db`'s (service-role) transaction; returns how many were queued. */
export async function notifyTransition(db: Db, t: Transition): Promise<number> {
  const { rows } = await db.$client.query<{ name: string; slug: string; custom_domain: string | null }>(
    `select t.name, t.slug, ${primaryDomainSql("t.id")} as custom_domain from public.tenants t where t.id = $1`,
    [t.tenantId],
  );
  if (!rows[0]) return 0;
  const summary: HealthSummary = {
    tenantId: t.tenantId,
    tenantName: rows[0].name,
    from: STATE_LABELS[t.from].toLowerCase(),
    to: STATE_LABELS[t.to].toLowerCase(),
    reasons: t.reasons.map((r) => r.reason),
    at: t.at.toISOString(),
    link: statusLink(rows[0].slug, rows[0].custom_domain),
  };
  const d = await defaultRecipients(db, t.tenantId);
  // The mails are about the tenant and link to its host: in its brand (lib/branding), never the MSSP's where hidden.
  const brand = d.emails.length > 0 ? await brandOfTenant(t.tenantId) : undefined;
  let queued = 0;
  for (const c of d.webhooks) {
    queued += (
      await queueNotification(db, {
        channel: { tenantId: c.tenantId, id: c.id, kind: c.kind, recipients: c.recipients, tenantName: c.tenantName },
        reason: "health",
        health: summary,
      })
    ).length;
  }
  for (const to of d.emails) {
    await enqueueMail(db, { to, tenantId: t.tenantId, message: healthChangeMail({ ...summary, brand }) });
    queued++;
  }
  return queued;
}
