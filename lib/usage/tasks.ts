// The usage jobs on the durable job engine's crontab (graphile-worker, as
// lib/retention schedules its purge): its cron runs each slot once across
// every portal replica. Each task is idempotent; a failure is retried by
// graphile-worker, and a run cut short is finished by the next.
import type { Task } from "graphile-worker";
import { registerCronItem, registerEngineTask } from "@/lib/jobs/worker";
import { log, safeError } from "@/lib/log";
import { rerollRecent, rollupDirty } from "./rollup";
import { takeSnapshots } from "./snapshot";

export const USAGE_ROLLUP_TASK = "usage:rollup";
export const USAGE_REROLL_TASK = "usage:reroll";
export const USAGE_SNAPSHOT_TASK = "usage:snapshot";
/** Every hour at :05 — the hour just closed, and any day a late event touched. */
export const USAGE_ROLLUP_CRONTAB = `5 * * * * ${USAGE_ROLLUP_TASK}`;
/** Every night at 00:20 UTC (graphile-worker reads crontabs in UTC): assets, seats, storage. */
export const USAGE_SNAPSHOT_CRONTAB = `20 0 * * * ${USAGE_SNAPSHOT_TASK}`;
/** Every night at 01:35: the last 7 days rolled again in full (the backstop for late events). */
export const USAGE_REROLL_CRONTAB = `35 1 * * * ${USAGE_REROLL_TASK}`;

function task(name: string, run: () => Promise<object>): Task {
  return async () => {
    try {
      const stats = await run();
      log.info({ event: `usage.${name}`, ...stats }, `usage ${name} done`);
    } catch (err) {
      log.error({ event: `usage.${name}-failed`, err: safeError(err) }, `usage ${name} failed; graphile-worker retries it`);
      throw err;
    }
  };
}

let registered = false;
/** Registers the three tasks and their schedules with every worker (lib/jobs/default-handlers.ts). */
export function registerUsageTasks(): void {
  if (registered) return;
  registered = true;
  registerEngineTask(USAGE_ROLLUP_TASK, task("rollup", () => rollupDirty()));
  registerEngineTask(USAGE_REROLL_TASK, task("reroll", () => rerollRecent()));
  registerEngineTask(USAGE_SNAPSHOT_TASK, task("snapshot", () => takeSnapshots()));
  registerCronItem(USAGE_ROLLUP_CRONTAB);
  registerCronItem(USAGE_SNAPSHOT_CRONTAB);
  registerCronItem(USAGE_REROLL_CRONTAB);
}
