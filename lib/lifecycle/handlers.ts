// The lifecycle workflows by job kind, for the worker (lib/jobs/default-handlers.ts).
import type { JobHandler } from "@/lib/jobs/types";
import { ISOLATION_REAPPLY_KIND, isolationReapplyHandler } from "./isolation-reapply";
import { OFFBOARD_KIND } from "./offboard";
import { offboardHandler } from "./offboard-workflow";
import { PROVISION_KIND } from "./provision";
import { provisionHandler } from "./provision-workflow";

export function lifecycleHandlers(): Record<string, JobHandler> {
  return { [PROVISION_KIND]: provisionHandler(), [OFFBOARD_KIND]: offboardHandler(), [ISOLATION_REAPPLY_KIND]: isolationReapplyHandler() };
}
