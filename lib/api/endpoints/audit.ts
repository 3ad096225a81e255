// The audit rows of the API's successful writes: one per request (never one per
// item: each row takes the tenant's audit chain lock until the request commits),
// in the handler's transaction, so it commits or rolls back with the writes it
// describes. The actor is the key (the transaction's auth.uid(), as for PATCH
// /alerts/{id}); the request id is the gateway's, which the answer's
// x-request-id also carries.
import type { EndpointContext } from "@/lib/api/endpoint";
import { recordAudit } from "@/lib/audit/record";

/** How many ids of the rows a request wrote its audit row lists (the rest are counted). */
export const AUDITED_IDS = 50;

/** `{ [name]: the first AUDITED_IDS ids }`, plus `[name]_omitted: n` when there were more. */
export function cappedIds(name: string, ids: readonly string[]): Record<string, unknown> {
  return ids.length > AUDITED_IDS ? { [name]: ids.slice(0, AUDITED_IDS), [`${name}_omitted`]: ids.length - AUDITED_IDS } : { [name]: [...ids] };
}

export async function recordApiWrite(
  ctx: EndpointContext,
  event: { action: string; targetType: string | null; targetId: string | null; details: Record<string, unknown> },
): Promise<void> {
  await recordAudit(ctx.tx, {
    tenantId: ctx.tenantId,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    outcome: "success",
    // The key is the row's actor (its name shows there); `via` says the change came through the API.
    details: { ...event.details, via: "api" },
    requestId: ctx.requestId,
  });
}
