// Request bodies in progress, per process: the memory the gateway's reading,
// decoding and parsing of a burst of large bodies may take before any of them
// is refused.
//
// The body arrives as a stream: proxy.ts's matcher leaves /api/v1/… out, so
// Next does not read the body for the proxy before the route runs (it did,
// whole, up to 17 MiB, until 2026-12-07). A request refused before its body
// is read (no key, a 429, this budget) costs no more than what the socket had
// buffered; Node drops the rest unread.
//
// What it bounds: the per-minute buckets let a key send a minute's requests
// at once, and the concurrency slots (./limits.ts) are taken in the handler's
// transaction, after the body is read and parsed: without this budget a burst
// of 16 MiB POST /alerts bodies was copied, decoded and parsed in full (two to
// four times its size) before all but a few were refused. So before the
// gateway reads the body, its bytes are reserved here:
//   - sized by Content-Length when the request has one (refused before the
//     gateway reads a byte of it: no copy, no decoding, no parse), and
//     counted chunk by chunk as the gateway reads it otherwise (a chunked
//     body: refused as soon as what it read is past the budget);
//   - against the tenant's share (API_TENANT_BODY_BUDGET_BYTES, charged to
//     the addressed tenant and, for a key of another tenant above it, to the
//     key's tenant too): past it, 429 `concurrency`, the tenant's own
//     requests in progress hold its share;
//   - against the process's whole budget (API_BODY_BUDGET_BYTES): past it,
//     503 `unavailable`, this process is busy;
//   - released when the request is answered, whatever the path (the
//     gateway's finally).
//
// This state is per process on purpose. The house rule "the shared rate
// limiter: no per-process state" is about limits that must hold across
// replicas (requests per minute, the daily quota, the concurrency slots: all
// in Postgres). Memory is each process's own: what one process holds is what
// its budget bounds, so N replicas hold at most N budgets, and a tenant's share
// is per process too (docs/api.md, "Request bodies in progress").
import { ApiProblem } from "@/lib/api/endpoint";
import { problems } from "@/lib/api/problem";
import { settings } from "@/lib/config";

/** Seconds a refused client is told to wait: bodies in progress are released as their requests end. */
export const BODY_BUDGET_RETRY_SECONDS = 1;

let processHeld = 0;
const tenantHeld = new Map<string, number>();

/** Bytes held now by requests in progress: this process's, or one tenant's (tests, metrics). */
export function bodyBytesInFlight(tenantId?: string): number {
  return tenantId === undefined ? processHeld : (tenantHeld.get(tenantId) ?? 0);
}

export interface BodyBudgetLimits {
  process: number;
  tenant: number;
}

export function bodyBudgetLimits(): BodyBudgetLimits {
  const s = settings();
  return { process: s.API_BODY_BUDGET_BYTES, tenant: s.API_TENANT_BODY_BUDGET_BYTES };
}

/** Why a ticket refused: the reason audited with the refusal. */
export type BodyBudgetReason = "body_budget_tenant" | "body_budget_process";

/**
 * One request's reservation. `need(n)` holds n bytes in all (it only grows); it throws the refusal
 * (an ApiProblem) when a budget cannot hold them, holding nothing more. `release()` gives every byte
 * back; it may be called more than once.
 */
export class BodyTicket {
  private held = 0;
  private released = false;
  private refusal: { problem: ApiProblem; reason: BodyBudgetReason } | null = null;
  private readonly tenantIds: readonly string[];

  constructor(
    tenantIds: readonly string[],
    private readonly limits: BodyBudgetLimits = bodyBudgetLimits(),
  ) {
    this.tenantIds = [...new Set(tenantIds)];
  }

  need(bytes: number): void {
    if (this.released) throw new Error("BodyTicket: used after release");
    const more = bytes - this.held;
    if (more <= 0) return;
    if (this.tenantIds.some((t) => (tenantHeld.get(t) ?? 0) + more > this.limits.tenant)) {
      this.refuse(
        problems.bodyBudget(
          `This tenant's API requests in progress on this server already hold their share of request bodies (${this.limits.tenant} bytes); this one needs ${bytes}. Retry shortly.`,
          this.limits.tenant,
          BODY_BUDGET_RETRY_SECONDS,
        ),
        "body_budget_tenant",
      );
    }
    if (processHeld + more > this.limits.process) {
      this.refuse(
        problems.unavailable("The portal is busy receiving other requests' bodies; nothing was read or changed. Retry shortly.", {
          retry_after_seconds: BODY_BUDGET_RETRY_SECONDS,
        }),
        "body_budget_process",
      );
    }
    processHeld += more;
    for (const t of this.tenantIds) tenantHeld.set(t, (tenantHeld.get(t) ?? 0) + more);
    this.held = bytes;
  }

  /** The reason to audit when `error` is this ticket's own refusal; null otherwise. */
  reasonOf(error: unknown): BodyBudgetReason | null {
    return this.refusal && error === this.refusal.problem ? this.refusal.reason : null;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    processHeld -= this.held;
    for (const t of this.tenantIds) {
      const left = (tenantHeld.get(t) ?? 0) - this.held;
      if (left > 0) tenantHeld.set(t, left);
      else tenantHeld.delete(t);
    }
    this.held = 0;
  }

  private refuse(problem: ApiProblem, reason: BodyBudgetReason): never {
    this.refusal = { problem, reason };
    throw problem;
  }
}
