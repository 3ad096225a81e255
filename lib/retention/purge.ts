// Data retention (limits.data_retention_days, lib/settings): once a day the
// job engine runs RETENTION_TASK (a graphile-worker crontab entry, lib/jobs/
// engine.ts), which deletes each tenant's alerts that arrived (created_at)
// more than its effective retention ago. Their timeline (alert_events) and
// rule runs (workflow_rule_runs) go with them (on delete cascade).
//
// What was sent about those alerts goes too, past the same cut-off: the
// notification deliveries about the tenant's alerts (alert_tenant_id; their
// payload is the alert's summary, and no foreign key ties them to the alert),
// whoever's channel sent them (an ancestor's included), with their attempts
// (cascade) and their mail.outbox messages (mail_id; lib/notify/
// delete-deliveries.ts, shared with offboarding); and the alert mails no
// delivery tracks (a group's members, the default recipients: template
// workflows.alert / workflows.escalation, tenant_id the alert's tenant), whose
// subject is the alert's severity and title. A delivery is never older than
// its alert (rules act in a job, workflows:evaluate or :escalate, queued by
// the alert's insert and run in a transaction that begins after it
// committed), so one past the cut-off is about an alert past it too: no
// delivery of a kept alert goes, and one written later than its alert (an
// escalation) goes once it is itself past the cut-off.
//
// A tenant on legal hold (limits.legal_hold, its own or inherited) is skipped
// whole: nothing of it is deleted for its age while the hold lasts.
//
// Each tenant's retention is its own effective value: set at the tenant, or
// inherited from the nearest ancestor that set it, or the default; read with
// the one resolver (effectiveConfigsAsService), never per alert. The deletes
// run in bounded batches (at most batchSize alerts, batchSize deliveries and
// batchSize untracked mails each), each batch its own short service-role
// transaction, so no run holds locks on a large tenant for long; every batch
// that deleted anything writes one audit row in its own transaction (action
// retention.purge on the tenant: the counts and the cut-off), so a run cut
// short leaves every deletion recorded. Running it again deletes nothing
// more: it is idempotent, and a run cut short is finished by the next.
// Indexes: alerts_tenant_created, notification_deliveries_alert and
// notification_deliveries_mail (migration 20261201031200), outbox_tenant.
import type { Task } from "graphile-worker";
import { recordAuditAs } from "@/lib/audit/record";
import { withServiceRole } from "@/lib/db/service-role";
import { registerCronItem, registerEngineTask } from "@/lib/jobs/worker";
import { log, safeError } from "@/lib/log";
import { deleteDeliveriesBatch, deleteDeliveriesSql } from "@/lib/notify/delete-deliveries";
import { effectiveConfigsAsService } from "@/lib/settings/resolve";
import { LEGAL_HOLD } from "@/lib/settings/registry";

export const RETENTION_TASK = "retention:purge";
/** Every day at 03:17 UTC (graphile-worker reads crontabs in UTC): off the hour. */
export const RETENTION_CRONTAB = `17 3 * * * ${RETENTION_TASK}`;
const DAY_MS = 24 * 3600 * 1000;

export interface TenantPurge {
  tenantId: string;
  retentionDays: number;
  cutoff: Date;
  /** Alerts deleted. */
  deleted: number;
  /** Notification deliveries about its alerts deleted (any channel's, an ancestor's included). */
  deliveries: number;
  /** mail.outbox messages about its alerts deleted (the deliveries' own and the untracked alert mails). */
  mails: number;
}

/** The mail templates that carry an alert (lib/mail/templates.ts workflowAlertMail; "workflows.test" carries none). */
export const ALERT_MAIL_TEMPLATES = ["workflows.alert", "workflows.escalation"] as const;

/**
 * The statements of one batch ($1 tenant, $2 cut-off, $3 batch size). Each picks its batch oldest
 * first through an index on (tenant, created_at) and deletes exactly those rows by key (the
 * ids or row addresses of an array: index or TID probes), never a join the planner could answer
 * by reading all of the tenant's rows. Exported for the plan test.
 */
export const PURGE_SQL = {
  alerts: `delete from public.alerts a
            where a.tenant_id = $1
              and a.id = any (array(select id from public.alerts where tenant_id = $1 and created_at < $2 order by created_at limit $3))`,
  // By row address: a delivery's key is its channel's tenant (the alert's or an ancestor's), not $1.
  deliveries: deleteDeliveriesSql("alert_tenant_id = $1 and created_at < $2", "$3", "created_at"),
  // Alert mails of the tenant that no delivery tracks; a tracked one goes with its delivery (above),
  // by its alert's tenant's cut-off. The check probes each candidate's delivery by mail id
  // (offset 0 keeps it a per-row probe: as an anti-join the planner may hash all of the tenant's
  // email deliveries, every batch, when few of its expired mails are left to look at).
  untrackedMails: `delete from mail.outbox o
            where o.id = any (array(select m.id from mail.outbox m
                                     where m.tenant_id = $1 and m.created_at < $2 and m.template = any ($4::text[])
                                       and not exists (select 1 from public.notification_deliveries d
                                                        where d.tenant_id = m.tenant_id and d.mail_id = m.id offset 0)
                                     order by m.created_at limit $3))`,
} as const;

/**
 * Deletes every tenant's expired alerts and what was sent about them, `batchSize` of each per
 * transaction. Returns the tenants that lost any.
 */
export async function purgeExpiredAlerts(opts: { now?: Date; batchSize?: number } = {}): Promise<TenantPurge[]> {
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? 1000;
  const plan = await withServiceRole("retention.purge", async (db) => {
    const { rows } = await db.$client.query<{ id: string }>("select id from public.tenants order by path");
    const configs = await effectiveConfigsAsService(
      db,
      rows.map((r) => r.id),
    );
    // A tenant on legal hold (limits.legal_hold, inherited down the tree) loses nothing to its age.
    return rows.flatMap((r) => {
      const config = configs.get(r.id)!;
      if (config.value<boolean>(LEGAL_HOLD)) return [];
      const days = config.value<number>("limits.data_retention_days");
      return [{ tenantId: r.id, retentionDays: days, cutoff: new Date(now.getTime() - days * DAY_MS) }];
    });
  });
  const purged: TenantPurge[] = [];
  for (const t of plan) {
    const total = { deleted: 0, deliveries: 0, mails: 0 };
    for (;;) {
      const batch = await withServiceRole("retention.purge", async (db) => {
        const q = db.$client;
        const alerts = (await q.query(PURGE_SQL.alerts, [t.tenantId, t.cutoff, batchSize])).rowCount ?? 0;
        const gone = await deleteDeliveriesBatch(q, [PURGE_SQL.deliveries], [t.tenantId, t.cutoff, batchSize]);
        const untracked = (await q.query(PURGE_SQL.untrackedMails, [t.tenantId, t.cutoff, batchSize, ALERT_MAIL_TEMPLATES])).rowCount ?? 0;
        const b = { alerts, deliveries: gone.deliveries, mails: gone.mails + untracked, more: false };
        b.more = alerts === batchSize || b.deliveries === batchSize || untracked === batchSize;
        // Each batch that deleted anything commits its own audit row: a run cut short (a deploy, a
        // timeout) leaves every row it took accounted for, and the next run records the rest.
        if (b.alerts + b.deliveries + b.mails > 0) {
          await recordAuditAs(db, null, {
            tenantId: t.tenantId,
            action: "retention.purge",
            targetType: "alerts",
            targetId: String(b.alerts),
            outcome: "success",
            details: {
              deleted: b.alerts,
              deliveries: b.deliveries,
              mails: b.mails,
              retention_days: t.retentionDays,
              cutoff: t.cutoff.toISOString(),
              by: "limits.data_retention_days",
            },
          });
        }
        return b;
      });
      total.deleted += batch.alerts;
      total.deliveries += batch.deliveries;
      total.mails += batch.mails;
      if (!batch.more) break;
    }
    if (total.deleted + total.deliveries + total.mails > 0) purged.push({ ...t, ...total });
  }
  return purged;
}

const retentionTask: Task = async () => {
  try {
    const purged = await purgeExpiredAlerts();
    log.info(
      {
        event: "retention.purged",
        tenants: purged.length,
        alerts: purged.reduce((s, p) => s + p.deleted, 0),
        deliveries: purged.reduce((s, p) => s + p.deliveries, 0),
        mails: purged.reduce((s, p) => s + p.mails, 0),
      },
      "retention purge done",
    );
  } catch (err) {
    log.error({ event: "retention.failed", err: safeError(err) }, "retention purge failed; graphile-worker retries it");
    throw err;
  }
};

let registered = false;
/** Registers the daily task with every worker (lib/jobs/default-handlers.ts). */
export function registerRetentionTask(): void {
  if (registered) return;
  registered = true;
  registerEngineTask(RETENTION_TASK, retentionTask);
  registerCronItem(RETENTION_CRONTAB);
}
