// The evaluation on the durable job engine's crontab (graphile-worker, as
// lib/usage schedules its rollups): every minute, one run per slot across
// every portal replica. Idempotent (evaluate.ts): a slot run twice, or a
// run retried after a failure, records each change once.
import type { Task } from "graphile-worker";
import { registerCronItem, registerEngineTask } from "@/lib/jobs/worker";
import { log, safeError } from "@/lib/log";
import { evaluateHealth } from "./evaluate";

export const HEALTH_EVALUATE_TASK = "health:evaluate";
export const HEALTH_EVALUATE_CRONTAB = `* * * * * ${HEALTH_EVALUATE_TASK}`;

const evaluateTask: Task = async () => {
  try {
    const stats = await evaluateHealth();
    log.info({ event: "health.evaluate", ...stats }, "health evaluated");
  } catch (err) {
    log.error({ event: "health.evaluate-failed", err: safeError(err) }, "health evaluation failed; graphile-worker retries it");
    throw err;
  }
};

let registered = false;
export function registerHealthTasks(): void {
  if (registered) return;
  registered = true;
  registerEngineTask(HEALTH_EVALUATE_TASK, evaluateTask);
  registerCronItem(HEALTH_EVALUATE_CRONTAB);
}
