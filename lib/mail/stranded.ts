// Outbox messages no graphile-worker job will take any further, found by the
// task mail:sweep (every 15 minutes, lib/mail/deliver.ts). A message's job
// normally records its outcome on its last attempt (deliver.ts decides "last"
// from graphile-worker's own count). It cannot when the worker was killed
// during that attempt, or the database failed before the claim or while
// recording it: the job is then spent (attempts = max_attempts, unlocked) and
// the row would stay "queued" for ever, as mail.dispatch_pending() hands over
// only rows with no job at all. The sweep fails such rows, saying so, erases
// their bodies, and removes their spent jobs; spent jobs left over are purged
// after a week (lib/jobs/spent.ts).
import { withServiceRole } from "@/lib/db/service-role";
import { dropSweptJobs, noLiveJobSql } from "@/lib/jobs/spent";
import { log } from "@/lib/log";

/** Why a stranded message failed (the delivery lists show it). */
export const STRANDED_MAIL_ERROR = "not sent: no attempt is left (the worker stopped, or the database failed, during the last one); send it again";

/**
 * Fails every queued message whose job is gone, or spent and not locked within graphile-worker's own
 * 4 hours (a running attempt keeps it). Messages queued in the last 5 minutes are left alone (a job
 * install hands over what waited). Returns the ids failed.
 */
export async function sweepStrandedMail(): Promise<{ failed: string[]; purged: number }> {
  return withServiceRole("mail.outbox", async (db) => {
    const { rows } = await db.$client.query<{ id: string }>(
      `update mail.outbox o set status = 'failed', failed_at = now(), last_error = $1, body_sealed = null
        where o.status = 'queued' and o.created_at < now() - interval '5 minutes'
          and ${noLiveJobSql("'mail:' || o.id::text")}
        returning o.id`,
      [STRANDED_MAIL_ERROR],
    );
    const purged = await dropSweptJobs(db, rows.map((r) => `mail:${r.id}`), "mail:deliver");
    if (rows.length > 0) log.warn({ event: "mail.stranded", mailIds: rows.map((r) => r.id) }, "failed queued mail that no job will deliver");
    return { failed: rows.map((r) => r.id), purged };
  });
}
