// The PDP's recent decisions, kept per process for PDP_DECISION_CACHE_MS
// (default 30 s; 0 turns the cache off), so a page that asks the same
// questions again does not ask Cerbos again. The MSSP console's alert page asks
// alerts:read and alerts:triage on every visible customer (3,234 checks over
// 1,617 tenants, 440-540 ms of the page); a tenant page asks its navigation's
// twelve actions on every render.
//
// Why this is safe to keep: a decision is a pure function of what is sent to
// the PDP and of the policies it runs. The key is the whole question as sent
// (the PDP's address, the principal with every membership the access-token
// hook found in this transaction, the resource with its path, kind and status,
// and the action), so a revoked or changed membership, a moved, suspended or
// closed tenant, or another PDP is a different question and is asked afresh at
// once. Only a change of the policies themselves (a deploy of policies/) is
// seen up to PDP_DECISION_CACHE_MS late, as with Kubernetes' webhook
// authorizer's decision cache. Answers the PDP did not give (an action missing
// from its answer, no answer at all) are never kept: they stay deny, or
// PdpUnavailableError, and are asked again next time.
import { settings } from "@/lib/config";

/** Questions kept at most (each about 200 bytes): an MSSP admin's console page asks about 3,300. */
export const MAX_ENTRIES = 50_000;

interface Entry {
  allowed: boolean;
  until: number;
}

/** One principal's decisions: resource as sent → action → decision. */
type Kept = Map<string, Map<string, Entry>>;

// Principal (as sent, with the PDP's address) → resource as sent → action → decision. Nested rather
// than one "resource\0action" key: the console's alert page asks two actions on each of 1,617
// tenants, and a joined key was a new 200-character string to build and hash per question, where
// the resource's key (one string per resource) is hashed once. On globalThis: Next may load this
// module more than once in a process, and each copy would keep its own (".v2": the nested shape, so
// a dev server reloaded from the flat one starts afresh instead of reading it).
const state = ((globalThis as Record<symbol, unknown>)[Symbol.for("mssp-portal.authz.decisions.v2")] ??= {
  byPrincipal: new Map<string, Kept>(),
  entries: 0,
}) as { byPrincipal: Map<string, Kept>; entries: number };
const byPrincipal = state.byPrincipal;

const sizeOf = (kept: Kept) => {
  let n = 0;
  for (const actions of kept.values()) n += actions.size;
  return n;
};

export function decisionTtlMs(): number {
  return settings().PDP_DECISION_CACHE_MS;
}

/**
 * The kept decisions of one principal, or null when the cache is off. Using a
 * principal's decisions makes them the last to be dropped when the cache is full.
 */
export function decisionsOf(principalKey: string): PrincipalDecisions | null {
  const ttl = decisionTtlMs();
  if (ttl === 0) return null;
  // Looked up at each use, not held: eviction may drop this principal's map between two uses.
  const live = () => {
    let mine = byPrincipal.get(principalKey);
    if (!mine) byPrincipal.set(principalKey, (mine = new Map()));
    return mine;
  };
  const mine = byPrincipal.get(principalKey);
  if (mine) {
    byPrincipal.delete(principalKey);
    byPrincipal.set(principalKey, mine);
  }
  return {
    get(resourceKey, action, now = Date.now()) {
      const e = byPrincipal.get(principalKey)?.get(resourceKey)?.get(action);
      return e && e.until > now ? e.allowed : undefined;
    },
    set(resourceKey, action, allowed, now = Date.now()) {
      const kept = live();
      let actions = kept.get(resourceKey);
      if (!actions) kept.set(resourceKey, (actions = new Map()));
      if (!actions.has(action)) state.entries++;
      actions.set(action, { allowed, until: now + ttl });
      if (state.entries > MAX_ENTRIES) evictOldest(principalKey);
    },
  };
}

export interface PrincipalDecisions {
  /** The kept decision, or undefined when there is none or it is older than the TTL. */
  get(resourceKey: string, action: string, now?: number): boolean | undefined;
  set(resourceKey: string, action: string, allowed: boolean, now?: number): void;
}

/** Drops whole principals, least recently used first, until the cache fits (never the one being filled). */
function evictOldest(keep: string): void {
  for (const [key, kept] of byPrincipal) {
    if (state.entries <= MAX_ENTRIES) return;
    if (key === keep) continue;
    state.entries -= sizeOf(kept);
    byPrincipal.delete(key);
  }
  // One principal alone over the limit: start its decisions afresh.
  const mine = byPrincipal.get(keep);
  if (state.entries > MAX_ENTRIES && mine) {
    state.entries -= sizeOf(mine);
    mine.clear();
  }
}

/** Forgets every decision (tests). */
export function forgetDecisions(): void {
  byPrincipal.clear();
  state.entries = 0;
}

/** How many decisions are kept now (tests). */
export function keptDecisions(): number {
  return state.entries;
}
