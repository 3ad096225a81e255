// The triage workflow as the pages need it: which status changes to offer.
// The database enforces the same table (triage.transition_allowed in
// supabase/migrations/20261201002000_alert_triage.sql) on every write;
// tests/alert-triage.test.ts checks the two agree pair by pair, so this file
// can only hide a button the database would allow, never offer one it refuses.
import type { AlertStatus } from "@/drizzle/schema";

export const CLOSED_STATUSES = ["resolved", "false_positive"] as const satisfies readonly AlertStatus[];
export type ClosedStatus = (typeof CLOSED_STATUSES)[number];

export const TRANSITIONS: Record<AlertStatus, readonly AlertStatus[]> = {
  new: ["acknowledged", "false_positive"],
  acknowledged: ["in_progress", "resolved", "false_positive"],
  in_progress: ["resolved", "false_positive"],
  resolved: ["in_progress"],
  false_positive: ["in_progress"],
};

export function canTransition(from: AlertStatus, to: AlertStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isClosed(status: AlertStatus): status is ClosedStatus {
  return (CLOSED_STATUSES as readonly string[]).includes(status);
}

/** The verbs a person clicks, by the status they lead to. */
export const TRANSITION_VERBS: Record<Exclude<AlertStatus, "new">, string> = {
  acknowledged: "Acknowledge",
  in_progress: "Start work",
  resolved: "Resolve",
  false_positive: "Mark false positive",
};

/** The verb for reopening a closed alert ("Start work" on a closed one reads oddly). */
export function transitionVerb(from: AlertStatus, to: Exclude<AlertStatus, "new">): string {
  return isClosed(from) && to === "in_progress" ? "Reopen" : TRANSITION_VERBS[to];
}
