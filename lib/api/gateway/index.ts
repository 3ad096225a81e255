// The API gateway: every /api/v1 request, on the console host and on tenant
// hosts (app/api/v1/[...path]/route.ts is one line calling this).
//
//   0. GET /openapi.json answers the OpenAPI document, no key needed
//   1. authenticate  Authorization: Bearer msp_live_… → key id + SHA-256 of
//                    its secret; the first transaction builds the key's claims
//                    (public.api_key_access_token checks hash, expiry,
//                    revocation and tenant state) and runs as the key under RLS
//   2. tenant        the key's own, or /tenants/{slug} looked up under RLS (a
//                    tenant outside the key's subtree is the same 404 as none);
//                    on a tenant host the key must be that host's tenant's
//   3. rate limit    per key and per tenant (shared buckets in Postgres); a
//                    request refused in 2 (or for its route or scope) spends a
//                    token of the key's bucket instead (./refusal.ts)
//   4. PDP           the endpoint's scope's action, for the key principal, on
//                    the addressed tenant (after the rate limit: a 429 costs
//                    no PDP call; outside any transaction)
//   5. parse         JSON only, capped, strict; the body's bytes held in this
//                    process's body budget before the gateway reads any
//                    (./body-budget.ts: 429 concurrency / 503 past it, nothing
//                    of the body read; the proxy does not see /api/v1/…, so
//                    Next has not read it either); quota checked (quotaCost)
//   6. handler       in a second transaction as the key, narrowed to the
//                    addressed tenant, with a statement timeout and one of the
//                    tenant's concurrency slots; last use recorded (≤ 1/min)
// HEAD is the GET of the same path (the same steps), answered without its body.
// Every answer carries x-request-id and the RateLimit headers once known;
// every error is an RFC 9457 problem document; refusals are audited.
import type { ApiPrincipal, ApiScope, Endpoint } from "@/lib/api/endpoint";
import { bearerToken, parseKey, type ParsedKey } from "@/lib/api/keys/format";
import { SCOPE_ACTION, isApiScope } from "@/lib/api/keys/scopes";
import { problems } from "@/lib/api/problem";
import { checkAction, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { ApiKeyClaim } from "@/lib/db/claims";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { settings } from "@/lib/config";
import { observeApiAdmission, observeHttp } from "@/lib/metrics/api";
import { clientSource } from "@/lib/ratelimit";
import { effectiveConfigs } from "@/lib/settings";
import { isOpenApiRequest, openApiResponse } from "@/lib/api/openapi/serve";
import { customDomainSlugOfHost } from "@/lib/domains/resolve";
import { apiSecurityHeaders, isHttps } from "@/lib/http/security-headers";
import { withLogContext } from "@/lib/log";
import { withRequestId } from "@/lib/request-id";
import { parseHost, type HostTarget } from "@/lib/tenancy/host";
import { loadTenantBySlug } from "@/lib/tenancy/resolve-host";
import { BodyTicket } from "./body-budget";
import { isApiProblem, parseInput, queryObject, readJsonBody } from "./input";
import { chargeIngestQuota, checkIngestQuota, limitsOf, rateHeaders, takeConcurrencySlot, takeRequestTokens, type ApiLimits, type RateState } from "./limits";
import { chargeRefusal, Refused, refusalResponse, tenantInactive, tenantInactiveRefusal, throttleFailures } from "./refusal";
import { addressOf, matchRoute, type Addressed, type Match } from "./router";

interface Authorized {
  key: ApiKeyClaim;
  parsed: ParsedKey;
  tenant: TenantResource & { slug: string };
  match: Match;
  limits: ApiLimits;
  /** The key's claims, as its first transaction built them (for the PDP). */
  claims: TenantTx["claims"];
}

export interface GatewayOptions {
  /** The endpoints served (lib/api/routes.ts). */
  routes: readonly Endpoint[];
}

export async function handleApiRequest(request: Request, opts: GatewayOptions): Promise<Response> {
  // The proxy does not see the API (proxy.ts's matcher), so this is where a request gets its id:
  // always a fresh one (a client's x-request-id is never taken), for the answer, the audit rows
  // and anything in lib/ that asks for the current request's (lib/request-id.ts).
  const requestId = crypto.randomUUID();
  // Unreadable settings are the unknown host's 404 here, not an unhandled error.
  const { host, portalHost } = await apiHost(request.headers.get("host")).catch(() => ({ host: { area: "unknown" } as HostTarget, portalHost: false }));
  // Log lines name this id and this host's tenant, not what the request's headers say (lib/log/context.ts).
  const logFields = { request_id: requestId, area: host.area === "unknown" ? null : host.area, tenant: host.area === "tenant" ? host.slug : null };
  const res = await withLogContext(logFields, () => withRequestId(requestId, () => answer(request, opts, requestId, host)));
  // As the proxy decides them for pages.
  const https = isHttps(request.headers.get("x-forwarded-proto"), new URL(request.url).protocol, settings().PORTAL_PROTOCOL);
  for (const [name, value] of Object.entries(apiSecurityHeaders({ https, portalHost }))) res.headers.set(name, value);
  // HEAD: the GET's status and headers, without its body.
  return request.method.toUpperCase() === "HEAD" ? new Response(null, { status: res.status, headers: res.headers }) : res;
}

/**
 * The host a request is for, decided as proxy.ts decides it for pages: a routed custom domain
 * (looked up here: the proxy does not run for the API, and a client-sent
 * x-portal-custom-domain-tenant is never read), else what the Host names. `portalHost`: one of the
 * portal's own hosts (HSTS may cover its subdomains).
 */
async function apiHost(rawHost: string | null): Promise<{ host: HostTarget; portalHost: boolean }> {
  const customTenant = await customDomainSlugOfHost(rawHost);
  if (customTenant) return { host: { area: "tenant", slug: customTenant }, portalHost: false };
  const host = parseHost(rawHost);
  return { host, portalHost: host.area !== "unknown" };
}

async function answer(request: Request, opts: GatewayOptions, requestId: string, host: HostTarget): Promise<Response> {
  const url = new URL(request.url);
  const method = request.method.toUpperCase();
  const path = url.pathname;
  let rate: RateState | null = null;
  // Past the rate limits the request is counted as API usage (usage.api_request_counts); a refusal after
  // that says so in its audit row, so health's error rate counts the request once.
  let admitted = false;
  try {
    if (host.area === "unknown") throw new Refused(problems.notFound("This host does not serve the portal's API."), "unknown_host", null);
    // The contract itself needs no key (lib/api/openapi/serve.ts).
    if (isOpenApiRequest(method, path)) return openApiResponse(opts.routes, method, requestId);
    const auth = await authorize(request, host, method, path, opts.routes);
    const outcome = await takeRequestTokens(auth.tenant.id, auth.key.id, auth.limits);
    observeApiAdmission(auth.tenant.slug, outcome.allowed ? "allowed" : `rate_limited_${outcome.which}`); // lib/metrics
    rate = outcome.state;
    if (!outcome.allowed) {
      throw new Refused(
        problems.rateLimited(
          outcome.which === "key"
            ? `This key may make ${auth.limits.keyPerMinute} requests a minute.`
            : `This tenant's API clients may make ${auth.limits.tenantPerMinute} requests a minute together.`,
          outcome.retryAfter,
        ),
        `rate_limited_${outcome.which}`,
        { keyId: auth.key.id, tenantIds: [auth.tenant.id] },
        rateHeaders(outcome.state, outcome.retryAfter),
      );
    }
    admitted = true;
    await requirePdp(auth);
    return await run(request, auth, { requestId, url, method, rate });
  } catch (error) {
    return await refusalResponse(error, { requestId, method, path, rate, admitted });
  }
}

type KeyOutcome = Authorized | { failed: string; keyTenantId: string | null } | { refused: Refused; key: { id: string; tenantId: string; perMinute: number } };

async function authorize(request: Request, host: HostTarget, method: string, path: string, routes: readonly Endpoint[]): Promise<Authorized> {
  const token = bearerToken(request.headers.get("authorization"));
  const parsed = token ? parseKey(token) : null;
  if (!parsed) {
    throw new Refused(
      problems.unauthorized(token ? "The API key is not valid." : "Send an API key: Authorization: Bearer msp_live_…"),
      token ? "malformed_key" : "no_key",
      null,
      { "WWW-Authenticate": 'Bearer realm="mssp-portal"' },
    );
  }
  const address = addressOf(path);
  const outcome = await withTenant({ userId: parsed.id, apiKey: parsed, activeTenantId: null }, async (tx): Promise<KeyOutcome> => {
    const status = tx.apiKey?.status ?? "unknown";
    const key = tx.claims.api_key;
    // Answered after this transaction: the failure is counted in a transaction of its own, which a
    // refusal thrown in here would roll back with it (the throttle then never filled).
    if (status !== "ok" || !key) return { failed: status, keyTenantId: tx.apiKey?.keyTenantId ?? null };
    try {
      return await admit(tx, key, parsed, { host, address, method, routes });
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      // Charged to the key's bucket after this transaction, at the key's own tenant's per-key limit.
      const perMinute = (await effectiveConfigs(tx, [key.tenant_id])).get(key.tenant_id)!.value<number>("limits.api_key_requests_per_minute");
      return { refused: error, key: { id: key.id, tenantId: key.tenant_id, perMinute } };
    }
  });
  if ("refused" in outcome) throw await chargeRefusal(outcome.refused, outcome.key);
  if ("failed" in outcome) {
    const status = outcome.failed;
    // The key is right but its tenant (or one above it) is suspended: a 403, not a failed authentication.
    if (status === "tenant_inactive") throw await tenantInactiveRefusal(parsed.id, outcome.keyTenantId);
    // Its own connection, the key's transaction over: no connection held while waiting for another.
    await throttleFailures(request, outcome.keyTenantId ? parsed.id : null);
    throw new Refused(
      problems.unauthorized(status === "expired" ? "This API key has expired." : status === "revoked" ? "This API key was revoked." : "The API key is not valid."),
      `key_${status}`,
      { keyId: outcome.keyTenantId ? parsed.id : null, tenantIds: [outcome.keyTenantId] },
      { "WWW-Authenticate": 'Bearer realm="mssp-portal", error="invalid_token"' },
    );
  }
  return outcome;
}

/** The authenticated key's request: its host, its tenant, its endpoint and its scope; a Refused when any is wrong. */
async function admit(
  tx: TenantTx,
  key: ApiKeyClaim,
  parsed: ParsedKey,
  req: { host: HostTarget; address: Addressed | { malformedSlug: true }; method: string; routes: readonly Endpoint[] },
): Promise<Authorized> {
  const { host, address, method } = req;
  const audit = { keyId: key.id, tenantIds: [key.tenant_id] };
  if (host.area === "tenant" && host.slug !== key.tenant_slug) {
    const hostTenant = await loadTenantBySlug(host.slug, tx.db).catch(() => null);
    throw new Refused(
      problems.forbidden("This key belongs to another tenant than this host's. Call the API on your own tenant's host, or on the console host."),
      "host_mismatch",
      { keyId: key.id, tenantIds: [key.tenant_id, hostTenant?.id] },
    );
  }
  if ("malformedSlug" in address) throw new Refused(problems.notFound("No such tenant here."), "tenant_not_found", audit);
  const tenant = await addressedTenant(tx, address.slug ?? key.tenant_slug);
  if (!tenant) throw new Refused(problems.notFound(`No tenant "${address.slug}" here.`), "tenant_not_found", audit);
  const match = matchRoute(req.routes, method, address.rest);
  if ("error" in match) {
    if (match.error === "method") {
      throw new Refused(problems.methodNotAllowed(match.allowed), "method_not_allowed", null, { Allow: match.allowed.join(", ") });
    }
    if (match.error === "bad_param") throw new Refused(problems.badRequest("A path segment has a broken %-encoding."), "bad_path", null);
    throw new Refused(problems.notFound(`No endpoint ${method} ${address.rest}.`), "no_endpoint", null);
  }
  if (!key.scopes.includes(match.endpoint.scope)) throw scopeRefusal(key, tenant, match);
  const configs = await effectiveConfigs(tx, [...new Set([tenant.id, key.tenant_id])]);
  const limits = limitsOf(configs.get(tenant.id)!, configs.get(key.tenant_id)!);
  return { key, parsed, tenant, match, limits, claims: tx.claims };
}

function scopeRefusal(key: ApiKeyClaim, tenant: { id: string }, match: Match): Refused {
  const scope = match.endpoint.scope;
  return new Refused(
    problems.forbidden(`This key lacks the scope ${scope} for ${match.endpoint.method} ${match.endpoint.path} on this tenant.`, { required_scope: scope }),
    "scope",
    { keyId: key.id, tenantIds: [key.tenant_id, tenant.id] },
  );
}

/**
 * The PDP's word on the endpoint's action for the key principal, asked after
 * the rate limit and outside any transaction: a flooding client's 429s cost
 * no PDP call, and no connection is held while the PDP answers.
 */
async function requirePdp(auth: Authorized): Promise<void> {
  const scope = auth.match.endpoint.scope;
  if (!(await checkAction(principalFromClaims(auth.claims), SCOPE_ACTION[scope], auth.tenant))) throw scopeRefusal(auth.key, auth.tenant, auth.match);
}

async function addressedTenant(tx: TenantTx, slug: string): Promise<(TenantResource & { slug: string }) | null> {
  const { rows } = await tx.client.query<TenantResource & { slug: string }>(
    "select id, slug, path::text as path, kind, status from public.tenants where slug = $1",
    [slug],
  );
  return rows[0] ?? null;
}

async function run(request: Request, auth: Authorized, ctx: { requestId: string; url: URL; method: string; rate: RateState | null }): Promise<Response> {
  // The body's bytes are held in this process's budget before one is read, until the answer (./body-budget.ts).
  const ticket = new BodyTicket([auth.tenant.id, auth.key.tenant_id]);
  try {
    return await runHolding(request, auth, ctx, ticket);
  } finally {
    ticket.release();
  }
}

async function runHolding(
  request: Request,
  auth: Authorized,
  ctx: { requestId: string; url: URL; method: string; rate: RateState | null },
  ticket: BodyTicket,
): Promise<Response> {
  const { endpoint } = auth.match;
  // The quota's, the concurrency cap's and the body budget's refusals are audited like the rate limits' (at most ten a minute per tenant and reason).
  const audited = (reason: string) => (error: unknown) => {
    throw isApiProblem(error) ? new Refused(error, reason, { keyId: auth.key.id, tenantIds: [auth.tenant.id] }) : error;
  };
  const body = await readJsonBody(request, endpoint, ticket).catch((error: unknown) => {
    const reason = ticket.reasonOf(error);
    if (reason) audited(reason)(error);
    throw error;
  });
  const input = parseInput(endpoint, { params: auth.match.params, query: queryObject(ctx.url.searchParams), body });
  const cost = endpoint.quotaCost?.(input) ?? 0;
  await checkIngestQuota(auth.tenant.id, cost, auth.limits.ingestPerDay).catch(audited("daily_quota"));
  const ip = clientSource(request.headers).replace(/^ip6?:/, "");
  const result = await withTenant({ userId: auth.key.id, apiKey: auth.parsed, activeTenantId: auth.tenant.id }, async (tx) => {
    // Revoked or expired since the first transaction (or its tenant suspended): refused here too.
    if (tx.apiKey?.status === "tenant_inactive") throw tenantInactive(auth.key.id, auth.key.tenant_id);
    if (tx.apiKey?.status !== "ok" || !tx.claims.api_key || tx.claims.tenant_id !== auth.tenant.id) {
      throw new Refused(problems.unauthorized("This API key is no longer valid."), `key_${tx.apiKey?.status ?? "unknown"}`, {
        keyId: auth.key.id,
        tenantIds: [auth.key.tenant_id],
      });
    }
    await tx.client.query(`set local statement_timeout = ${settings().API_STATEMENT_TIMEOUT_MS}`);
    await takeConcurrencySlot(tx, auth.tenant.id, auth.limits.concurrent).catch(audited("concurrency"));
    const principal: ApiPrincipal = {
      keyId: auth.key.id,
      keyTenantId: auth.key.tenant_id,
      scopes: auth.key.scopes.filter(isApiScope) as ApiScope[],
    };
    const out = await endpoint.handle({ tx, tenantId: auth.tenant.id, tenantSlug: auth.tenant.slug, requestId: ctx.requestId, principal }, input);
    // Charged with the writes, in their transaction: a request that stores nothing costs no quota.
    await chargeIngestQuota(tx, auth.tenant.id, cost, auth.limits.ingestPerDay).catch(audited("daily_quota"));
    await tx.client.query("select api.touch_key($1)", [ip]);
    return out;
  });
  const headers: Record<string, string> = {
    "cache-control": "no-store",
    "x-request-id": ctx.requestId,
    ...rateHeaders(ctx.rate),
    ...result.headers,
  };
  if (result.status === 204 || result.body === undefined) return new Response(null, { status: result.status, headers });
  return new Response(JSON.stringify(result.body), { status: result.status, headers: { "content-type": "application/json", ...headers } });
}

/** The route handler's entry: the endpoints it serves, then each request. */
export function apiHandler(routes: readonly Endpoint[]): (request: Request) => Promise<Response> {
  return (request) => observeHttp("api", () => handleApiRequest(request, { routes }));
}
