// The daily sweep of brand images no brand uses (lib/branding/assets.ts), a
// graphile-worker crontab entry registered with every worker
// (lib/jobs/default-handlers.ts). Idempotent: a run cut short is finished by the next.
import type { Task } from "graphile-worker";
import { registerCronItem, registerEngineTask } from "@/lib/jobs/worker";
import { log, safeError } from "@/lib/log";
import { pruneUnusedBrandAssets } from "./assets";

export const BRAND_ASSETS_TASK = "branding:prune-assets";
/** Every day at 03:43 UTC (graphile-worker reads crontabs in UTC): off the hour, apart from the retention purge. */
export const BRAND_ASSETS_CRONTAB = `43 3 * * * ${BRAND_ASSETS_TASK}`;

const sweepTask: Task = async () => {
  try {
    const deleted = await pruneUnusedBrandAssets();
    log.info({ event: "branding.assets-pruned", deleted }, "unused brand images deleted");
  } catch (err) {
    log.error({ event: "branding.assets-prune-failed", err: safeError(err) }, "brand image sweep failed; graphile-worker retries it");
    throw err;
  }
};

let registered = false;
/** Registers the daily sweep with every worker (lib/jobs/default-handlers.ts). */
export function registerBrandAssetsTask(): void {
  if (registered) return;
  registered = true;
  registerEngineTask(BRAND_ASSETS_TASK, sweepTask);
  registerCronItem(BRAND_ASSETS_CRONTAB);
}
