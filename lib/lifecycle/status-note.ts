// A tenant's status reasons: the ones the lifecycle writes (below, used by
// lib/lifecycle/offboard.ts and offboard-workflow.ts) and how a stored reason
// reads on the console's pages. The stored text stays as written: migration
// 20261201031900 reads the previous status back from "offboarding (was …)",
// and a suspension keeps the operator's own words. Only the words shown are
// made here.
import { formatTimeWithZone } from "@/lib/locale/time";
import type { TenantStatus } from "./states";

/** The stored reason of an offboarding in its grace period, naming the status it had before. */
export const offboardingReason = (was: "active" | "suspended"): string => `offboarding (was ${was})`;
const OFFBOARDING = /^offboarding \(was (active|suspended)\)$/;
/** The stored reason of a suspended tenant whose offboarding was called off. */
export const CALLED_OFF = "offboarding called off";
/** The stored reason of an offboarded tenant (the workflow's tombstone). */
export const OFFBOARDED = "offboarded";

/**
 * The reason in a few words, for a row of the customers list (its status badge beside it):
 * null where it would only repeat the badge.
 */
export function statusReasonWords(status: TenantStatus, reason: string | null): string | null {
  if (!reason || status === "active") return null;
  const was = OFFBOARDING.exec(reason)?.[1];
  if (was) return `Offboarding started (it was ${was} before)`;
  if (reason === CALLED_OFF) return "Offboarding called off";
  if (reason === OFFBOARDED) return null;
  return reason;
}

/** The banner on a tenant's page: the text around the moment the status changed (shown in a <time>). */
export interface StatusNote {
  before: string;
  at: { iso: string; text: string } | null;
  after: string;
}

/**
 * "Offboarding since 06 Dec 2026, 23:57 UTC, started by ops@example.com (it was active before)."
 * null for an active tenant or one without a reason.
 */
export function statusNote(input: { status: TenantStatus; reason: string | null; changedAt: string | null; changedBy: string | null; timeZone: string }): StatusNote | null {
  const { status, reason, changedAt, changedBy, timeZone } = input;
  if (status === "active" || !reason) return null;
  const at = changedAt ? { iso: changedAt, text: formatTimeWithZone(new Date(changedAt), timeZone) } : null;
  const note = (since: string, noTime: string, after: string): StatusNote => (at ? { before: `${since} `, at, after } : { before: noTime, at: null, after });
  const was = OFFBOARDING.exec(reason)?.[1];
  if (status === "deprovisioning" && was) {
    return note("Offboarding since", "Offboarding", `${changedBy ? `, started by ${changedBy}` : ""} (it was ${was} before).`);
  }
  if (status === "deprovisioned" && reason === OFFBOARDED) {
    return note("Offboarded on", "Offboarded", `${changedBy ? `, offboarding started by ${changedBy}` : ""}.`);
  }
  if (status === "suspended" && reason === CALLED_OFF) {
    return note("Suspended again since", "Suspended again", `, when ${changedBy ?? "an operator"} called its offboarding off (it was suspended before).`);
  }
  // An operator's own words (a suspension's reason), after who and when.
  const label = { provisioning: "Provisioning", suspended: "Suspended", deprovisioning: "Offboarding", deprovisioned: "Offboarded" }[status];
  return note(`${label} since`, label, `${changedBy ? ` by ${changedBy}` : ""}. Reason: ${reason}`);
}
