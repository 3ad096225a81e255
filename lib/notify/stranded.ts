// Webhook deliveries no graphile-worker job will take any further, found by
// the task notify:sweep (every 15 minutes, lib/notify/deliver.ts). As for the
// mail outbox (lib/mail/stranded.ts): a delivery whose last attempt could not
// record its outcome (the worker was killed, the database failed) keeps a
// spent job (attempts = max_attempts, unlocked) and would stay "queued" for
// ever; nothing else queues it again. The sweep fails it, saying so (on the
// row and as its last attempt), and removes the spent job; spent jobs left
// over are purged after a week.
import { withServiceRole } from "@/lib/db/service-role";
import { dropSweptJobs, noLiveJobSql } from "@/lib/jobs/spent";
import { log } from "@/lib/log";

/** Why a stranded delivery failed (the channel's delivery list shows it). */
export const STRANDED_DELIVERY_ERROR = "not delivered: no attempt is left (the worker stopped, or the database failed, during the last one)";

/**
 * Fails every queued webhook delivery whose job is gone, or spent and not locked within
 * graphile-worker's own 4 hours. Deliveries queued in the last 5 minutes are left alone.
 */
export async function sweepStrandedDeliveries(): Promise<{ failed: { tenantId: string; id: string }[]; purged: number }> {
  return withServiceRole("workflows.engine", async (db) => {
    // The channel's attempt list gets the failure too, as the last attempt's row: the attempt the row
    // counted if it never recorded one (the worker died after its claim), else the one after it (an
    // attempt that died before the claim, which graphile-worker counted and the row did not).
    const { rows } = await db.$client.query<{ tenant_id: string; id: string }>(
      `with failed as (
         update public.notification_deliveries d set status = 'failed', failed_at = now(), last_error = $1
          where d.status = 'queued' and d.kind = 'webhook' and d.created_at < now() - interval '5 minutes'
            and ${noLiveJobSql("'notify:' || d.id::text")}
          returning d.tenant_id, d.id, greatest(d.attempts, 1) as attempt
       ),
       noted as (
         insert into public.notification_attempts (tenant_id, delivery_id, attempt, outcome, error)
         select f.tenant_id, f.id,
                f.attempt + (exists (select 1 from public.notification_attempts a
                                      where a.tenant_id = f.tenant_id and a.delivery_id = f.id and a.attempt = f.attempt))::int,
                'failed', $1
           from failed f
         on conflict do nothing
       )
       select tenant_id, id from failed`,
      [STRANDED_DELIVERY_ERROR],
    );
    const purged = await dropSweptJobs(db, rows.map((r) => `notify:${r.id}`), "notify:deliver");
    if (rows.length > 0) log.warn({ event: "notify.stranded", deliveryIds: rows.map((r) => r.id) }, "failed queued webhook deliveries that no job will deliver");
    return { failed: rows.map((r) => ({ tenantId: r.tenant_id, id: r.id })), purged };
  });
}
