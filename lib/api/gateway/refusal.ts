// The gateway's refusals: what each says, what it costs the caller, and its answer.
//   - A refusal after the key check (host or tenant mismatch, no such endpoint, a method the path does
//     not take, a broken path, a missing scope) spends a token of the key's own bucket, the one its
//     admitted requests spend (chargeRefusal): a key that floods refused requests is answered 429 like
//     one that floods good ones. It spends nothing of the tenant's bucket and is not counted as usage
//     (so its audit row does not say `admitted`, and health counts it once, as a refusal).
//   - A failed authentication (a well-formed key that is unknown, tampered, expired or revoked) counts
//     in a bucket per client source (throttleFailures). A right key of a tenant that is not active
//     (suspended) is not a failed authentication: a 403 tenant-inactive, not counted there.
//   - refusalResponse audits what it should and answers the problem document.
import { ApiProblem } from "@/lib/api/endpoint";
import { problemResponse, problems } from "@/lib/api/problem";
import { isPdpUnavailable } from "@/lib/authz";
import { PoolTimeoutError } from "@/lib/db/pool";
import { sqlState } from "@/lib/db/sql-state";
import { log, safeError } from "@/lib/log";
import { observeApiRefusal } from "@/lib/metrics/api";
import { clientSource, perWindow, take, UNKNOWN_SOURCE } from "@/lib/ratelimit";
import { auditRefusal } from "./audit";
import { isApiProblem } from "./input";
import { rateHeaders, takeKeyToken, type RateState } from "./limits";

/** Failed authentications per client source and minute before answers stop being audited and become 429s. */
export const AUTH_FAILURES_PER_MINUTE = 60;

/** A refusal on the way: the problem, and what its audit row says. */
export class Refused extends Error {
  constructor(
    readonly problem: ApiProblem,
    readonly reason: string,
    readonly audit: { keyId: string | null; tenantIds: (string | null | undefined)[] } | null,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.title);
  }
}

/**
 * A refusal of an authenticated key, charged to the key's request bucket (outside any transaction):
 * the refusal itself with the bucket's RateLimit headers, or, when the bucket is empty, the key's 429
 * (audited in the key's tenant as rate_limited_key, like any other).
 */
export async function chargeRefusal(refused: Refused, key: { id: string; tenantId: string; perMinute: number }): Promise<Refused> {
  const outcome = await takeKeyToken(key.id, key.perMinute);
  if (outcome.allowed) return new Refused(refused.problem, refused.reason, refused.audit, { ...rateHeaders(outcome.state), ...refused.headers });
  return new Refused(
    problems.rateLimited(`This key may make ${key.perMinute} requests a minute, refused ones included.`, outcome.retryAfter),
    "rate_limited_key",
    { keyId: key.id, tenantIds: [key.tenantId] },
    rateHeaders(outcome.state, outcome.retryAfter),
  );
}

/**
 * Repeated failed authentications from one source stop being audited and get 429s. `realKeyId`: the
 * key the text names when that key exists (tampered, expired, revoked). Without a trusted proxy every
 * client is the one source "unknown"; such a failure then counts in that key's own bucket, so neither
 * a flood of made-up keys nor another tenant's client retrying its revoked key turns this key's 401s
 * into 429s or stops their audit rows. Failures naming no existing key share the source's bucket.
 */
export async function throttleFailures(request: Request, realKeyId: string | null): Promise<void> {
  const source = clientSource(request.headers);
  const perKey = source === UNKNOWN_SOURCE && realKeyId !== null;
  // Its own service-role transaction (the key's is over): no connection held while waiting for another.
  const r = await take(perKey ? `api:authfail:key:${realKeyId}` : `api:authfail:${source}`, perWindow(AUTH_FAILURES_PER_MINUTE, 60));
  if (!r.allowed) {
    throw new Refused(
      problems.rateLimited(perKey ? "Too many requests with this invalid API key." : "Too many requests with invalid API keys from this address.", r.retryAfterSeconds),
      "auth_failures",
      null,
      { "Retry-After": String(Math.max(1, Math.ceil(r.retryAfterSeconds))) },
    );
  }
}

/**
 * A key that is fine but whose tenant (or a tenant above it) is not active: suspended, or on its way
 * in or out. Not an authentication failure (the key and its secret are right, and an MSSP that
 * suspends a customer must not have its collectors' retries burn the client source's failure budget
 * nor read "not valid"): a 403 of its own type, audited in the key's tenant. Still bounded, as the
 * failures are: past AUTH_FAILURES_PER_MINUTE such answers a minute for one key (a bucket of its
 * own, not the failures'), the key is answered 429 until the minute has passed.
 */
export async function tenantInactiveRefusal(keyId: string, keyTenantId: string | null): Promise<Refused> {
  const r = await take(`api:inactive:key:${keyId}`, perWindow(AUTH_FAILURES_PER_MINUTE, 60));
  if (!r.allowed) {
    return new Refused(
      problems.rateLimited(
        `The tenant is suspended; the key works again when it is resumed. Until then this key is answered at most ${AUTH_FAILURES_PER_MINUTE} times a minute.`,
        r.retryAfterSeconds,
      ),
      "tenant_inactive_flood",
      null,
      { "Retry-After": String(Math.max(1, Math.ceil(r.retryAfterSeconds))) },
    );
  }
  return tenantInactive(keyId, keyTenantId);
}

/** The 403 itself, without the bucket: for a tenant suspended during a request, inside its transaction (no second connection). */
export function tenantInactive(keyId: string, keyTenantId: string | null): Refused {
  return new Refused(
    new ApiProblem(403, "Tenant Inactive", "The tenant is suspended; the key works again when it is resumed.", {}, "tenant-inactive"),
    "key_tenant_inactive",
    { keyId: keyTenantId ? keyId : null, tenantIds: [keyTenantId] },
  );
}

function retryAfter(problem: ApiProblem): Record<string, string> {
  if (problem.status !== 429 && problem.status !== 503) return {};
  return { "Retry-After": String(Math.max(1, Math.ceil(Number(problem.extensions.retry_after_seconds ?? 1)))) };
}

export interface RefusalContext {
  requestId: string;
  method: string;
  path: string;
  rate: RateState | null;
  /** Past the rate limits (counted as usage): the audit row says so. */
  admitted: boolean;
}

export async function refusalResponse(error: unknown, ctx: RefusalContext): Promise<Response> {
  const base = rateHeaders(ctx.rate);
  observeApiRefusal(error); // lib/metrics: 429s by limit
  if (error instanceof Refused) {
    if (error.audit) {
      await auditRefusal({
        ...error.audit,
        reason: error.reason,
        status: error.problem.status,
        method: ctx.method,
        path: ctx.path,
        requestId: ctx.requestId,
        ...(ctx.admitted ? { details: { admitted: true } } : {}),
      });
    }
    const retry = retryAfter(error.problem);
    return problemResponse(error.problem, ctx.requestId, { instance: ctx.path, headers: { ...base, ...retry, ...error.headers } });
  }
  if (isApiProblem(error)) {
    const retry = retryAfter(error);
    return problemResponse(error, ctx.requestId, { instance: ctx.path, headers: { ...base, ...retry } });
  }
  if (isPdpUnavailable(error)) {
    return problemResponse(problems.unavailable("The authorization service did not answer; nothing was changed. Retry in a minute."), ctx.requestId, {
      instance: ctx.path,
      headers: { ...base, "Retry-After": "30" },
    });
  }
  if (error instanceof PoolTimeoutError || sqlState(error) === "57014") {
    log.warn({ event: "api.overloaded", err: safeError(error) }, "API request timed out");
    return problemResponse(
      problems.unavailable(sqlState(error) === "57014" ? "The request took too long and was stopped; nothing was changed." : "The portal is busy; retry shortly."),
      ctx.requestId,
      { instance: ctx.path, headers: { ...base, "Retry-After": "5" } },
    );
  }
  log.error({ event: "api.failed", method: ctx.method, err: safeError(error) }, "API request failed");
  return problemResponse(problems.internal(), ctx.requestId, { instance: ctx.path, headers: base });
}
