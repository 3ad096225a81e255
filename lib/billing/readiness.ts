// Whether a month's invoice may be finalized yet, and the sentences of a refused finalization.
//
// Usage reaches invoices through the rollups (lib/usage/rollup.ts). The hourly run re-rolls every
// (tenant, day) with an event recorded since its last scan less SCAN_MARGIN_MS, then moves the scan
// mark (usage.rollup_state.scanned_to) to its own start: events recorded before the mark less the
// margin are in the rollups. A month is rolled up to its end once that point reaches the 1st of the
// next month 00:00 UTC, i.e. after the first hourly run starting at or after 01:00 UTC that day.
import type pg from "pg";
import { SCAN_MARGIN_MS } from "@/lib/usage/rollup";

type Queryable = Pick<pg.ClientBase, "query">;

export type Readiness = { ok: true } | { ok: false; rolledUpTo: Date | null; readyAfter: Date };

/** Whether the usage recorded before `periodEnd` ("YYYY-MM-DD", the first day after the month) is rolled up. */
export async function usageReadiness(client: Queryable, periodEnd: string): Promise<Readiness> {
  const { rows } = await client.query<{ scanned_to: Date }>("select scanned_to from usage.rollup_state");
  const end = new Date(`${periodEnd}T00:00:00Z`);
  const rolledUpTo = rows[0] ? new Date(rows[0].scanned_to.getTime() - SCAN_MARGIN_MS) : null;
  if (rolledUpTo && rolledUpTo >= end) return { ok: true };
  return { ok: false, rolledUpTo, readyAfter: new Date(end.getTime() + SCAN_MARGIN_MS) };
}

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

export type FinalizeRefusal =
  | { reason: "not_found" | "finalized" | "open_period" | "no_plan"; month?: string }
  | { reason: "usage_pending"; month: string; rolledUpTo: Date | null; readyAfter: Date };

/** What a person reads when a finalization is refused. */
export function finalizeRefusalMessage(r: FinalizeRefusal): string {
  switch (r.reason) {
    case "not_found":
      return "That invoice is not here: it belongs to another customer, or it does not exist. Nothing was changed.";
    case "finalized":
      return "That invoice is finalized already. Corrections are made with a credit note.";
    case "open_period":
      return "The month is still running: finalize its invoice once the month has ended (UTC).";
    case "no_plan":
      return `No plan of this MSSP bills this customer for ${r.month} any more (its assignment was ended, undone or replaced, or the customer moved), so this draft has nothing behind it and was not finalized. Assign a plan for ${r.month} and finalize again, or run the period to remove the draft. Nothing was changed.`;
    case "usage_pending":
      return `The usage of ${r.month} is not fully rolled up yet (${r.rolledUpTo ? `the hourly rollup has covered usage recorded up to ${utc(r.rolledUpTo)}` : "the hourly usage rollup has not run yet"}). It can be finalized once the hourly usage rollup has run after ${utc(r.readyAfter)}. Nothing was changed.`;
  }
}
