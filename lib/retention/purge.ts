// Data retention (limits.data_retention_days, lib/settings): once a day the
// job engine runs RETENTION_TASK (a graphile-worker crontab entry, lib/jobs/
// engine.ts), which deletes each tenant's alerts that arrived (created_at)
// more than its effective retention ago. Their timeline (alert_events) and
// rule runs (workflow_rule_runs) go with them (on delete cascade).
//
// Each tenant's retention is its own effective value: set at the tenant, or
// inherited from the nearest ancestor that set it, or the default; read with
// the one resolver (effectiveConfigsAsService), never per alert. The delete
// runs in bounded batches, each its own short service-role transaction, so
// no run holds locks on a large tenant for long; an audit row per tenant that
// lost alerts (action retention.purge, the count and the cut-off) is written
// with its tenant's last batch. Running it again deletes nothing more: it is
// idempotent, and a run cut short is finished by the next.
import type { Task } from "graphile-worker";
import { recordAuditAs } from "@/lib/audit/record";
import { withServiceRole } from "@/lib/db/service-role";
import { registerCronItem, registerEngineTask } from "@/lib/jobs/worker";
import { log, safeError } from "@/lib/log";
import { effectiveConfigsAsService } from "@/lib/settings/resolve";

export const RETENTION_TASK = "retention:purge";
/** Every day at 03:17 UTC (graphile-worker reads crontabs in UTC): off the hour. */
export const RETENTION_CRONTAB = `17 3 * * * ${RETENTION_TASK}`;
const DAY_MS = 24 * 3600 * 1000;

export interface TenantPurge {
  tenantId: string;
  retentionDays: number;
  cutoff: Date;
  deleted: number;
}

/** Deletes every tenant's expired alerts, `batchSize` per transaction. Returns the tenants that lost any. */
export async function purgeExpiredAlerts(opts: { now?: Date; batchSize?: number } = {}): Promise<TenantPurge[]> {
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? 1000;
  const plan = await withServiceRole("retention.purge", async (db) => {
    const { rows } = await db.$client.query<{ id: string }>("select id from public.tenants order by path");
    const configs = await effectiveConfigsAsService(
      db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => {
      const days = configs.get(r.id)!.value<number>("limits.data_retention_days");
      return { tenantId: r.id, retentionDays: days, cutoff: new Date(now.getTime() - days * DAY_MS) };
    });
  });
  const purged: TenantPurge[] = [];
  for (const t of plan) {
    let deleted = 0;
    for (;;) {
      const n = await withServiceRole("retention.purge", async (db) => {
        const { rowCount } = await db.$client.query(
          `delete from public.alerts a
            using (select id from public.alerts where tenant_id = $1 and created_at < $2 order by created_at limit $3) doomed
            where a.tenant_id = $1 and a.id = doomed.id`,
          [t.tenantId, t.cutoff, batchSize],
        );
        const n = rowCount ?? 0;
        // Each batch that deleted anything commits its own audit row: a run cut short (a deploy, a
        // timeout) leaves every alert it took accounted for, and the next run records the rest.
        if (n > 0) {
          await recordAuditAs(db, null, {
            tenantId: t.tenantId,
            action: "retention.purge",
            targetType: "alerts",
            targetId: String(n),
            outcome: "success",
            details: { deleted: n, retention_days: t.retentionDays, cutoff: t.cutoff.toISOString(), by: "limits.data_retention_days" },
          });
        }
        return n;
      });
      deleted += n;
      if (n < batchSize) break;
    }
    if (deleted > 0) purged.push({ ...t, deleted });
  }
  return purged;
}

const retentionTask: Task = async () => {
  try {
    const purged = await purgeExpiredAlerts();
    log.info({ event: "retention.purged", tenants: purged.length, alerts: purged.reduce((s, p) => s + p.deleted, 0) }, "retention purge done");
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
