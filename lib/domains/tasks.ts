// The scheduled re-check on the durable job engine's crontab (as lib/health
// does): every 10 minutes, one run per slot across all replicas.
//
// No transaction is open while DNS answers: the run reads the due domains,
// then for each one looks its records up (two look-ups, seconds each on a slow
// resolver) and applies the result in a short transaction of its own that
// locks only that row (skip locked: a Verify or Remove running on it wins) and
// takes the portal-wide name lock only if the domain starts routing. Its cache
// evictions go out at that commit, and a crash mid-run keeps every domain
// already applied. Two runs overlapping (one slower than the 10-minute slot)
// only look some domains up twice: a result older than the row's last check
// is dropped (lib/domains/store.ts applyRecheck).
import type { Task } from "graphile-worker";
import { registerCronItem, registerEngineTask } from "@/lib/jobs/worker";
import { withServiceRole } from "@/lib/db/service-role";
import { log, safeError } from "@/lib/log";
import { checkDomainRecords, makeResolver } from "./dns";
import type { DomainStatus } from "./state";
import { applyRecheck, dueDomains } from "./store";

export const DOMAINS_RECHECK_TASK = "domains:recheck";
export const DOMAINS_RECHECK_CRONTAB = `*/10 * * * * ${DOMAINS_RECHECK_TASK}`;

/** Re-checks every due domain; counts the states of those applied (one skipped or failed counts nowhere). Throws after the run if any failed. */
export async function recheckDomains(opts: { now?: Date; resolverAddress?: string } = {}): Promise<Record<DomainStatus, number>> {
  const resolver = makeResolver(opts.resolverAddress);
  const due = await withServiceRole("domains.verify", (db) => dueDomains(db));
  const counts: Record<DomainStatus, number> = { pending: 0, verified: 0, grace: 0, unrouted: 0 };
  let failed = 0;
  for (const d of due) {
    try {
      const lookedUpAt = opts.now ?? new Date();
      const check = await checkDomainRecords(d.domain, d.token, resolver);
      const row = await withServiceRole("domains.verify", (db) => applyRecheck(db, d, check, opts.now ?? new Date(), lookedUpAt));
      if (row) counts[row.status]++;
    } catch (err) {
      // One domain's failure (a statement timeout, a lost connection) does not stop the others.
      failed++;
      log.error({ event: "domains.recheck-domain-failed", domainId: d.id, err: safeError(err) }, "custom domain re-check failed for one domain");
    }
  }
  if (failed > 0) throw new Error(`custom domain re-check: ${failed} of ${due.length} domains failed (the others were applied)`);
  return counts;
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
