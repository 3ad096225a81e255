// The monthly drafting job on the durable job engine's crontab (as lib/usage
// schedules its rollups): on the 1st at 03:10, last month's invoices are
// drafted for every customer with a plan. Idempotent: a re-run (or a retry
// after a failure) recomputes the same drafts and leaves finalized ones alone.
// Then it removes what offboardings kept for billing and is now invoiced
// (lib/billing/offboarded.ts).
import type { Task } from "graphile-worker";
import { withServiceRole } from "@/lib/db/service-role";
import { registerCronItem, registerEngineTask } from "@/lib/jobs/worker";
import { log, safeError } from "@/lib/log";
import { previousMonth } from "./compute";
import { draftPeriod, type DraftStats } from "./invoices";
import { releaseOffboardedBilling, type ReleaseStats } from "./offboarded";

export const BILLING_DRAFT_TASK = "billing:draft";
/** 03:10 on the 1st: after the nightly snapshot (00:20) and re-roll (01:35) closed last month's usage. */
export const BILLING_DRAFT_CRONTAB = `10 3 1 * * ${BILLING_DRAFT_TASK}`;

/** Drafts `month` (default: the month before `now`) for every customer with a plan. */
export function draftMonth(month?: string, now = new Date()): Promise<DraftStats> {
  return withServiceRole("billing.invoicing", (db) => draftPeriod(db.$client, month ?? previousMonth(now)));
}

/** The monthly job: drafts `month` (default last month), then releases offboarded customers' usage, drafts and plans left with nothing to bill. */
export async function monthlyBilling(month?: string, now = new Date()): Promise<DraftStats & { released: ReleaseStats }> {
  const stats = await draftMonth(month, now);
  const released = await withServiceRole("billing.invoicing", (db) => releaseOffboardedBilling(db.$client));
  return { ...stats, released };
}

const task: Task = async (payload) => {
  const month = typeof (payload as { month?: unknown } | null)?.month === "string" ? (payload as { month: string }).month : undefined;
  try {
    const stats = await monthlyBilling(month);
    log.info({ event: "billing.draft", ...stats }, "billing drafts done");
  } catch (err) {
    log.error({ event: "billing.draft-failed", err: safeError(err) }, "billing drafts failed; graphile-worker retries it");
    throw err;
  }
};

let registered = false;
export function registerBillingTasks(): void {
  if (registered) return;
  registered = true;
  registerEngineTask(BILLING_DRAFT_TASK, task);
  registerCronItem(BILLING_DRAFT_CRONTAB);
}
