// The one way to ask the policy decision point (Cerbos, policies/) whether a
// principal may perform actions on a tenant. Every server action and route
// handler that changes something calls requireAction (or authorize) first;
// pages call checkActions once to decide which controls to show.
//
// Fail closed: no CERBOS_URL, connection refused, an error response or no
// answer within CERBOS_TIMEOUT_MS (default 2 s) all raise PdpUnavailableError.
// Nothing here ever turns a missing answer into allow.
//
// The checks go to Cerbos's JSON API (POST /api/check/resources, the call
// Cerbos's HTTP SDK makes) over node:http with kept-alive connections: inside a
// Next.js render the SDK's global fetch is Next's patched fetch (tracing,
// cache keys, request and body clones) on top of undici's WHATWG streams, and
// that was about a tenth of a signed-in alert page's server CPU under load
// (the load bench's profile, issue 13 point 7).
import { randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { log } from "@/lib/log";
import { ACTIONS, type Action, type TenantResource } from "./actions";
import { PdpUnavailableError, AuthorizationError } from "./errors";
import { assertIssuedPrincipal, type Principal } from "./principal";
import { settings } from "@/lib/config";
import { portalMetrics } from "@/lib/metrics/registry";
import { decisionsOf } from "./decision-cache";
import { perRender } from "@/lib/cache/per-render";

/** Cerbos's default request limit (server.requestLimits.maxResourcesPerRequest). */
const MAX_RESOURCES_PER_REQUEST = 50;
/** Batches of one checkActionsForEach in flight at once. */
const PARALLEL_BATCHES = 4;

// Idle connections are closed after 30 s, well before Cerbos's own idle timeout (120 s), so a
// check is not sent on a connection the PDP is closing.
const agents = { http: new http.Agent({ keepAlive: true, timeout: 30_000 }), https: new https.Agent({ keepAlive: true, timeout: 30_000 }) };

/** Where the PDP's check endpoint is: CERBOS_URL + /api/check/resources. */
function endpoint(): URL {
  const url = settings().CERBOS_URL;
  if (!url) throw new PdpUnavailableError("CERBOS_URL is not set");
  let parsed: URL;
  try {
    parsed = new URL(`${url.replace(/\/+$/, "")}/api/check/resources`);
  } catch (error) {
    throw new PdpUnavailableError(`CERBOS_URL is not a usable URL`, { cause: error });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new PdpUnavailableError(`CERBOS_URL is not a usable URL`);
  return parsed;
}

/** Cerbos's CheckResourcesResponse, as JSON: per resource, an effect per action. */
interface CheckResourcesAnswer {
  results?: Array<{ resource?: { id?: string; kind?: string }; actions?: Record<string, string> }>;
}

/** One CheckResources call; rejects on anything but a 200 with a JSON body (the error's message when Cerbos sent one). */
function postCheck(url: URL, body: unknown, signal: AbortSignal): Promise<CheckResourcesAnswer> {
  const data = Buffer.from(JSON.stringify(body));
  const secure = url.protocol === "https:";
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      url,
      {
        method: "POST",
        agent: secure ? agents.https : agents.http,
        signal,
        headers: { "content-type": "application/json", "content-length": String(data.length), "user-agent": "mssp-portal" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("aborted", () => reject(new Error("the PDP's answer was cut off")));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch (error) {
            reject(new Error(`unreadable answer (HTTP ${res.statusCode})`, { cause: error }));
            return;
          }
          if (res.statusCode !== 200 || typeof json !== "object" || json === null) {
            const message = (json as { message?: unknown } | null)?.message;
            reject(new Error(typeof message === "string" ? message : `HTTP ${res.statusCode}`));
            return;
          }
          resolve(json as CheckResourcesAnswer);
        });
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

/** The answers of one CheckResources call, by resource id: action → the effect the PDP gave (the first answer per resource). */
function effects(answer: CheckResourcesAnswer): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const r of answer.results ?? []) {
    if (r.resource?.kind !== "tenant" || typeof r.resource.id !== "string" || out.has(r.resource.id)) continue;
    out.set(r.resource.id, r.actions ?? {});
  }
  return out;
}

/**
 * The principal's actions on each resource: what the process decided lately
 * (lib/authz/decision-cache.ts) and one CheckResources request for the rest.
 * A resource is in the answer only when every action asked on it was decided.
 */
function checkResources(principal: CerbosPrincipal, items: ReadonlyArray<{ resource: TenantResource; actions: readonly string[] }>) {
  const url = settings().CERBOS_URL;
  const kept = decisionsOf(JSON.stringify([url, principal]));
  const known = new Map<string, Map<string, boolean>>();
  const toAsk: Array<{ resourceKey: string; resource: ReturnType<typeof cerbosResource>; actions: string[] }> = [];
  for (const item of items) {
    const resource = cerbosResource(item.resource);
    const resourceKey = JSON.stringify(resource);
    const decided = new Map<string, boolean>();
    const actions: string[] = [];
    for (const a of item.actions) {
      const d = kept?.get(resourceKey, a);
      if (d === undefined) actions.push(a);
      else decided.set(a, d);
    }
    known.set(item.resource.id, decided);
    if (actions.length > 0) toAsk.push({ resourceKey, resource, actions });
  }
  const answer = (asked: Map<string, Record<string, string>>) => {
    const out = new Map<string, (action: string) => boolean>();
    for (const item of items) {
      const decided = known.get(item.resource.id)!;
      const fromPdp = asked.get(item.resource.id);
      if (!fromPdp && decided.size < item.actions.length) continue;
      // Anything but an explicit allow is deny.
      out.set(item.resource.id, (a) => decided.get(a) ?? fromPdp?.[a] === "EFFECT_ALLOW");
    }
    return out;
  };
  countDecisions(items.reduce((n, i) => n + i.actions.length, 0), toAsk.reduce((n, i) => n + i.actions.length, 0));
  if (toAsk.length === 0) return Promise.resolve(answer(new Map()));
  return ask((url, signal) =>
    postCheck(url, { requestId: randomUUID(), principal, resources: toAsk.map((i) => ({ actions: i.actions, resource: i.resource })) }, signal),
  ).then((response) => {
    const asked = effects(response);
    // Kept: only what the PDP decided (an action it left out stays an unkept deny).
    if (kept) {
      for (const sent of toAsk) {
        for (const a of sent.actions) {
          const effect = asked.get(sent.resource.id)?.[a];
          if (effect === "EFFECT_ALLOW" || effect === "EFFECT_DENY") kept.set(sent.resourceKey, a, effect === "EFFECT_ALLOW");
        }
      }
    }
    return answer(asked);
  });
}

/** Decisions asked, and those the PDP was asked for (the rest came from the cache): /metrics. */
function countDecisions(all: number, fromPdp: number): void {
  const m = portalMetrics().pdpDecisions;
  if (fromPdp > 0) m.inc({ source: "pdp" }, fromPdp);
  if (all > fromPdp) m.inc({ source: "cache" }, all - fromPdp);
}

function timeoutMs(): number {
  return settings().CERBOS_TIMEOUT_MS;
}

/** Runs one PDP request; any failure becomes PdpUnavailableError. */
async function ask<T>(call: (url: URL, signal: AbortSignal) => Promise<T>): Promise<T> {
  let c: URL;
  try {
    c = endpoint();
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

interface CerbosPrincipal {
  id: string;
  roles: string[];
  attr: Record<string, unknown>;
}

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
  const joined = joinRequestBatch(p, [resource], list);
  if (joined) return (await joined).get(resource.id)!;
  const answers = await checkResources(p, [{ resource, actions: list }]);
  const allowed = answers.get(resource.id);
  // A one-resource question with no answer for that resource is no answer (as the Cerbos SDK's checkResource).
  if (!allowed) {
    log.error({ event: "authz.pdp-unavailable", reason: "no decision for the resource" }, "PDP unavailable, denying");
    throw new PdpUnavailableError("no decision for the resource");
  }
  // Anything but an explicit allow for an action is deny.
  return Object.fromEntries(list.map((a) => [a, allowed(a)])) as Record<A, boolean>;
}

// ---------------------------------------------------------------------------
// One PDP request for a page render's checks. A tenant page's layout (which
// sections the navigation shows) and the page itself (which rows and controls)
// render at the same time and each ask the PDP after one or two reads of their
// own: checks of the same principal asked within COALESCE_MS of each other go
// out together, each resource once with the union of the actions asked on it,
// and every caller gets exactly the answers to its own question. Per request
// only (React's cache(): a render's layouts and page share it; outside a render,
// in actions, route handlers, jobs and tests, there is no batch and every check
// goes out on its own); nothing is kept once the request has been answered.
// ---------------------------------------------------------------------------

/** How long a render's first check waits for others to join it. */
const COALESCE_MS = 2;

interface PendingBatch {
  principal: CerbosPrincipal;
  /** Resource id → the resource and every action asked on it. */
  resources: Map<string, { resource: TenantResource; actions: Set<Action> }>;
  /** Resolves to resource id → action → allowed, for every resource and action above. */
  answer: Promise<Map<string, Record<string, boolean>>>;
}

/** The render's batches still open for joiners, by principal (or sharingPdpRequests'). */
const renderBatches = perRender((): Map<string, PendingBatch> => new Map());

/** Checks made inside `fn` share PDP requests as a page render's do (see above). */
export function sharingPdpRequests<T>(fn: () => Promise<T>): Promise<T> {
  return renderBatches.sharing(fn);
}

/** This request's open batches, or null when checks are not shared here. */
function openBatches(): Map<string, PendingBatch> | null {
  return renderBatches.current();
}

const sameResource = (a: TenantResource, b: TenantResource) => a.id === b.id && a.path === b.path && a.kind === b.kind && a.status === b.status;

/**
 * Adds these checks to the render's open batch for this principal (opening one
 * if none is open) and returns its answers, or null when there is no render to
 * batch in, or when a resource is already in the batch with other attributes
 * (then the caller asks on its own).
 */
function joinRequestBatch<A extends Action>(
  principal: CerbosPrincipal,
  resources: readonly TenantResource[],
  actions: readonly A[],
): Promise<Map<string, Record<A, boolean>>> | null {
  const batches = openBatches();
  if (!batches) return null;
  const key = JSON.stringify(principal);
  let batch = batches.get(key);
  if (batch && resources.some((r) => { const there = batch!.resources.get(r.id); return there && !sameResource(there.resource, r); })) return null;
  if (!batch) {
    const opened: PendingBatch = { principal, resources: new Map(), answer: null as never };
    opened.answer = new Promise((resolve) => setTimeout(resolve, COALESCE_MS)).then(() => {
      // Closed: later checks open a new batch.
      if (batches!.get(key) === opened) batches!.delete(key);
      return sendBatch(opened);
    });
    batches.set(key, opened);
    batch = opened;
  }
  for (const r of resources) {
    const entry = batch.resources.get(r.id) ?? { resource: r, actions: new Set<Action>() };
    for (const a of actions) entry.actions.add(a);
    batch.resources.set(r.id, entry);
  }
  return batch.answer.then((all) => {
    const mine = new Map<string, Record<A, boolean>>();
    for (const r of resources) {
      const decided = all.get(r.id);
      // Anything but an explicit allow is deny.
      mine.set(r.id, Object.fromEntries(actions.map((a) => [a, decided?.[a] === true])) as Record<A, boolean>);
    }
    return mine;
  });
}

/** The batch's checks, in as few CheckResources calls as the server's request limit allows. */
async function sendBatch(batch: PendingBatch): Promise<Map<string, Record<string, boolean>>> {
  const entries = [...batch.resources.values()];
  const out = new Map<string, Record<string, boolean>>();
  const chunks: (typeof entries)[] = [];
  for (let i = 0; i < entries.length; i += MAX_RESOURCES_PER_REQUEST) chunks.push(entries.slice(i, i + MAX_RESOURCES_PER_REQUEST));
  const askChunk = async (chunk: typeof entries) => {
    const answers = await checkResources(batch.principal, chunk.map((e) => ({ resource: e.resource, actions: [...e.actions] })));
    for (const e of chunk) {
      const allowed = answers.get(e.resource.id);
      out.set(e.resource.id, Object.fromEntries([...e.actions].map((a) => [a, allowed?.(a) === true])));
    }
  };
  for (let i = 0; i < chunks.length; i += PARALLEL_BATCHES) await Promise.all(chunks.slice(i, i + PARALLEL_BATCHES).map(askChunk));
  return out;
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
  if (resources.length === 0) return new Map();
  const joined = joinRequestBatch(p, resources, list);
  if (joined) return joined;
  const out = new Map<string, Record<A, boolean>>();
  const batches: TenantResource[][] = [];
  for (let i = 0; i < resources.length; i += MAX_RESOURCES_PER_REQUEST) batches.push(resources.slice(i, i + MAX_RESOURCES_PER_REQUEST));
  // The batches are independent: a few at a time, so an MSSP's 1,600 tenants
  // cost 8 round trips on the request path instead of 32 (the PDP answers
  // them in parallel; more at once would only queue on its cores).
  const askBatch = async (batch: TenantResource[]) => {
    const answers = await checkResources(p, batch.map((r) => ({ resource: r, actions: list })));
    for (const r of batch) {
      const allowed = answers.get(r.id);
      out.set(r.id, Object.fromEntries(list.map((a) => [a, allowed?.(a) === true])) as Record<A, boolean>);
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
