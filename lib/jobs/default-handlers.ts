// The handlers every worker of the portal runs. Imported by the worker entry
// points (instrumentation-node.ts, scripts/keys.ts); lib/jobs itself stays
// free of domain code.
import { registerBrandAssetsTask } from "@/lib/branding/tasks";
import { registerHealthTasks } from "@/lib/health/tasks";
import { registerDomainTasks } from "@/lib/domains/tasks";
import { lifecycleHandlers } from "@/lib/lifecycle/handlers";
import { registerMailDelivery } from "@/lib/mail/deliver";
import { registerNotifyDelivery } from "@/lib/notify/deliver";
import { registerRetentionTask } from "@/lib/retention/purge";
import { registerWorkflowTasks } from "@/lib/rules/engine";
import { registerUsageTasks } from "@/lib/usage/tasks";
import { registerBillingTasks } from "@/lib/billing/tasks";
import { registerReportTasks } from "@/lib/reports/tasks";
import { rotationHandlers } from "@/lib/vault/rotation";
import { bulkHandlers } from "@/lib/bulk/execute";
import { registerJobHandler } from "./worker";

let registered = false;

export function registerDefaultHandlers(): void {
  if (registered) return;
  registered = true;
  for (const [kind, handler] of Object.entries({ ...rotationHandlers(), ...lifecycleHandlers(), ...bulkHandlers() })) registerJobHandler(kind, handler);
  registerMailDelivery();
  registerNotifyDelivery();
  registerWorkflowTasks();
  registerRetentionTask();
  registerUsageTasks();
  registerBillingTasks();
  registerReportTasks();
  registerHealthTasks();
  registerDomainTasks();
  registerBrandAssetsTask();
}
