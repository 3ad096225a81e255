// The scheduled re-check on the durable job engine's crontab (as lib/health
// does): every 10 minutes, one run per slot across all replicas.
import type { Task } from "graphile-worker";
import { registerCronItem, registerEngineTask } from "@/lib/jobs/worker";
import { withServiceRole } from "@/lib/db/service-role";
import { log, safeError } from "@/lib/log";
import { recheckAll } from "./store";

export const DOMAINS_RECHECK_TASK = "domains:recheck";
export const DOMAINS_RECHECK_CRONTAB = `*/10 * * * * ${DOMAINS_RECHECK_TASK}`;

export function recheckDomains(opts: { now?: Date; resolverAddress?: string } = {}) {
  return withServiceRole("domains.verify", async (db) => {
    await db.$client.query("select pg_advisory_xact_lock(hashtext('domains.recheck'))");
    return recheckAll(db, opts);
  });
}

const recheckTask: Task = async () => {
  try {
    const counts = await recheckDomains();
    log.info({ event: "domains.recheck", ...counts }, "custom domains re-checked");
  } catch (err) {
    log.error({ event: "domains.recheck-failed", err: safeError(err) }, "custom domain re-check failed; graphile-worker retries it");
    throw err;
  }
};

let registered = false;
export function registerDomainTasks(): void {
  if (registered) return;
  registered = true;
  registerEngineTask(DOMAINS_RECHECK_TASK, recheckTask);
  registerCronItem(DOMAINS_RECHECK_CRONTAB);
}
