// The one way to ask the policy decision point (Cerbos, policies/) whether a
// principal may perform actions on a tenant. Every server action and route
// handler that changes something calls requireAction (or authorize) first;
// pages call checkActions once to decide which controls to show.
//
// Fail closed: no CERBOS_URL, connection refused, an error response or no
// answer within CERBOS_TIMEOUT_MS (default 2 s) all raise PdpUnavailableError.
// Nothing here ever turns a missing answer into allow.
import { HTTP } from "@cerbos/http";
import { log } from "@/lib/log";
import { ACTIONS, type Action, type TenantResource } from "./actions";
import { PdpUnavailableError, AuthorizationError } from "./errors";
import { assertIssuedPrincipal, type Principal } from "./principal";
import { settings } from "@/lib/config";

/** Cerbos's default request limit (server.requestLimits.maxResourcesPerRequest). */
const MAX_RESOURCES_PER_REQUEST = 50;
/** Batches of one checkActionsForEach in flight at once. */
const PARALLEL_BATCHES = 4;

const clients = new Map<string, HTTP>();

function client(): HTTP {
  const url = settings().CERBOS_URL;
  if (!url) throw new PdpUnavailableError("CERBOS_URL is not set");
  let c = clients.get(url);
  if (!c) {
    try {
      c = new HTTP(url, { userAgent: "mssp-portal" });
    } catch (error) {
      throw new PdpUnavailableError(`CERBOS_URL is not a usable URL`, { cause: error });
    }
    clients.set(url, c);
  }
  return c;
}

function timeoutMs(): number {
  return settings().CERBOS_TIMEOUT_MS;
}

/** Runs one PDP request; any failure becomes PdpUnavailableError. */
async function ask<T>(call: (c: HTTP, signal: AbortSignal) => Promise<T>): Promise<T> {
  let c: HTTP;
  try {
    c = client();
  } catch (error) {
    log.error({ event: "authz.pdp-unavailable", reason: (error as PdpUnavailableError).reason }, "PDP unavailable, denying");
    throw error;
  }
  const ms = timeoutMs();
  const signal = AbortSignal.timeout(ms);
  try {
    return await call(c, signal);
  } catch (error) {
    const reason = signal.aborted ? `no answer within ${ms} ms` : describe(error);
    log.error({ event: "authz.pdp-unavailable", reason }, "PDP unavailable, denying");
    throw new PdpUnavailableError(reason, { cause: error });
  }
}

/** "message: cause: cause's cause (ECONNREFUSED)", for the logs. */
function describe(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++, e = (e as { cause?: unknown }).cause) {
    const { message, code } = e as { message?: string; code?: unknown };
    const text = `${message ?? String(e)}${typeof code === "string" ? ` (${code})` : ""}`;
    if (!parts.some((p) => p.includes(text))) parts.push(text);
  }
  return parts.join(": ");
}

type CerbosPrincipal = Parameters<HTTP["checkResource"]>[0]["principal"];

function cerbosPrincipal(principal: Principal): CerbosPrincipal {
  assertIssuedPrincipal(principal);
  const memberships = principal.memberships.map((m) => ({ tenant_id: m.tenant_id, path: m.path, role: m.role }));
  if (principal.kind === "api_key") {
    // An API key: the static role "api_key" activates only the api_key
    // derived role, which allows exactly the actions in `scopes`.
    return { id: principal.id, roles: ["api_key"], attr: { memberships, scopes: [...(principal.scopes ?? [])] } };
  }
  return {
    id: principal.id,
    // Grants nothing by itself: policies only use the derived roles that a
    // covering membership activates (policies/derived_roles.yaml).
    roles: ["authenticated"],
    attr: { memberships },
  };
}

function cerbosResource(resource: TenantResource) {
  return {
    kind: "tenant",
    id: resource.id,
    // The tenant path is the policy scope: scoped policies along the path can
    // tighten (never loosen) the base policy for that subtree.
    scope: resource.path,
    attr: { path: resource.path, kind: resource.kind, status: resource.status },
  };
}

function checkedActions(actions: readonly Action[]): Action[] {
  const unique = [...new Set(actions)];
  for (const a of unique) if (!ACTIONS.includes(a)) throw new TypeError(`unknown action: ${a}`);
  if (unique.length === 0) throw new TypeError("no actions to check");
  return unique;
}

/**
 * Batch: several actions on one tenant in one PDP call. For pages deciding
 * which controls to show. Rejects with PdpUnavailableError if there is no answer.
 */
export async function checkActions<A extends Action>(
  principal: Principal,
  actions: readonly A[],
  resource: TenantResource,
): Promise<Record<A, boolean>> {
  const list = checkedActions(actions) as A[];
  const p = cerbosPrincipal(principal);
  const result = await ask((c, signal) =>
    c.checkResource({ principal: p, resource: cerbosResource(resource), actions: list }, { signal }),
  );
  // Anything but an explicit allow for an action is deny.
  return Object.fromEntries(list.map((a) => [a, result.isAllowed(a) === true])) as Record<A, boolean>;
}

/** One action on one tenant. Rejects with PdpUnavailableError if there is no answer. */
export async function checkAction(principal: Principal, action: Action, resource: TenantResource): Promise<boolean> {
  return (await checkActions(principal, [action], resource))[action];
}

/**
 * Several actions on many tenants (a list page: which rows get which
 * buttons), in as few PDP calls as the server's request limit allows.
 * Returns tenant id → action → allowed.
 */
export async function checkActionsForEach<A extends Action>(
  principal: Principal,
  actions: readonly A[],
  resources: readonly TenantResource[],
): Promise<Map<string, Record<A, boolean>>> {
  const list = checkedActions(actions) as A[];
  const p = cerbosPrincipal(principal);
  const out = new Map<string, Record<A, boolean>>();
  const batches: TenantResource[][] = [];
  for (let i = 0; i < resources.length; i += MAX_RESOURCES_PER_REQUEST) batches.push(resources.slice(i, i + MAX_RESOURCES_PER_REQUEST));
  // The batches are independent: a few at a time, so an MSSP's 1,600 tenants
  // cost 8 round trips on the request path instead of 32 (the PDP answers
  // them in parallel; more at once would only queue on its cores).
  const askBatch = async (batch: TenantResource[]) => {
    const response = await ask((c, signal) =>
      c.checkResources(
        { principal: p, resources: batch.map((r) => ({ resource: cerbosResource(r), actions: list })) },
        { signal },
      ),
    );
    for (const r of batch) {
      const result = response.findResult({ kind: "tenant", id: r.id });
      out.set(r.id, Object.fromEntries(list.map((a) => [a, result?.isAllowed(a) === true])) as Record<A, boolean>);
    }
  };
  for (let i = 0; i < batches.length; i += PARALLEL_BATCHES) await Promise.all(batches.slice(i, i + PARALLEL_BATCHES).map(askBatch));
  return out;
}

/**
 * Proceeds only on an explicit allow: throws AuthorizationError on deny and
 * PdpUnavailableError when the PDP cannot answer.
 */
export async function requireAction(principal: Principal, action: Action, resource: TenantResource): Promise<void> {
  if (!(await checkAction(principal, action, resource))) throw new AuthorizationError(action, resource.id);
}
