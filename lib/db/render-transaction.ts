// One tenant transaction for a page and its layout's reads.
//
// Next renders a page's layout and the page at the same time, and each read
// its data in a withTenant of its own: two connections per request, two
// openings (claims hook, role, visible tenants) and two commits. Under load
// that is about a fifth of the signed-in alert page's round trips to Postgres
// (the load bench, README "Performance"). Here the layout's reads join the
// page's transaction instead: the page's run() opens it as before (its
// commit, rollback and errors unchanged), and a layout's read() started in
// the same render runs on that transaction's connection, under the same
// claims. The page's transaction ends only after every joined read has
// finished, so nothing is ever sent on a connection that has gone back to the
// pool.
//
// Only reads join (the layout's navigation, switcher and flags): their
// answers are valid as soon as they are read, whatever the page's transaction
// does afterwards. One connection means one fate: a joined read whose
// statement fails aborts the page's transaction too, and the page fails with
// it. A read that finds no page transaction opened or opening within
// JOIN_WAIT_MS (a page that reads nothing, or reads late) opens one of its
// own, as before. Per render only (lib/cache/per-render.ts); outside a
// render, every call runs on its own.
import { perRender } from "@/lib/cache/per-render";
import { withLogContext } from "@/lib/log";
import type { Caller, Claims } from "./claims";
import { whileHolding } from "./held-connection";
import { withTenant, type TenantTx } from "./with-tenant";

/** How long a layout's read waits for the page to start its transaction before opening its own. */
const JOIN_WAIT_MS = 2;

interface Host {
  /** Whose it is (the 403 page's memberships come from its claims). */
  userId: string;
  /** The page's transaction, once opened (rejects if its opening failed). */
  tx: Promise<TenantTx>;
  /** Reads running on it now. */
  joined: number;
  /** Set when the page's work is done: no read may join any more. */
  closing: boolean;
  /** Resolves when the last joined read has finished (only awaited once closing). */
  drained: () => Promise<void>;
  onIdle: (() => void) | null;
}

interface RenderRuns {
  hosts: Map<string, Host>;
  /** Reads waiting for a page transaction of their caller to start. */
  waiting: Map<string, Array<(host: Host | null) => void>>;
}

const renderRuns = perRender((): RenderRuns => ({ hosts: new Map(), waiting: new Map() }));

/** The transactions that host a render's page and layout reads (they only read; see isRenderTransaction). */
const renderTransactions = new WeakSet<TenantTx>();

/**
 * Whether `tx` is a page render's transaction, which the layout's reads share:
 * what one of them reads another may reuse for the rest of the transaction
 * (lib/settings/resolve.ts keeps the effective settings it read).
 */
export function isRenderTransaction(tx: TenantTx): boolean {
  return renderTransactions.has(tx);
}

/** Page runs and reads made inside `fn` share transactions as a render's do (the tests). */
export function sharingPageTransaction<T>(fn: () => Promise<T>): Promise<T> {
  return renderRuns.sharing(fn);
}

/** This render's state, or null outside a render. */
function currentRender(): RenderRuns | null {
  return renderRuns.current();
}

const callerKey = (c: Caller) => JSON.stringify([c.userId, c.sessionId ?? null, c.activeTenantId ?? null]);
const userKey = (userId: string) => JSON.stringify(["claims of", userId]);

/**
 * The page's work: withTenant(caller, fn), which this render's layout reads
 * may join while it runs.
 */
export function runHostingReads<T>(caller: Caller, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  const render = currentRender();
  if (!render) return withTenant(caller, fn);
  const key = callerKey(caller);
  let opened!: (tx: TenantTx) => void;
  let failed!: (error: unknown) => void;
  const host: Host = {
    userId: caller.userId,
    tx: new Promise<TenantTx>((resolve, reject) => ((opened = resolve), (failed = reject))),
    joined: 0,
    closing: false,
    onIdle: null,
    drained() {
      if (host.joined === 0) return Promise.resolve();
      return new Promise<void>((resolve) => (host.onIdle = resolve));
    },
  };
  host.tx.catch(() => {}); // a failed opening is reported to the page by withTenant itself
  // The first page transaction of this caller in the render hosts; a second one runs alone.
  const hosting = !render.hosts.has(key);
  if (hosting) {
    render.hosts.set(key, host);
    for (const wake of render.waiting.get(key) ?? []) wake(host);
    render.waiting.delete(key);
    for (const wake of render.waiting.get(userKey(caller.userId)) ?? []) wake(host);
    render.waiting.delete(userKey(caller.userId));
  }
  const work = withTenant(caller, async (tx) => {
    renderTransactions.add(tx);
    opened(tx);
    try {
      return await fn(tx);
    } finally {
      host.closing = true;
      await host.drained();
    }
  });
  return work.catch((error: unknown) => {
    failed(error);
    throw error;
  });
}

/**
 * A layout's reads: on this render's page transaction of the same caller when
 * there is one (or one starts within JOIN_WAIT_MS), else in a withTenant of
 * their own. `fn` must only read.
 */
export async function readJoiningPage<T>(caller: Caller, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  const render = currentRender();
  if (!render) return withTenant(caller, fn);
  const host = await pageHost(render, callerKey(caller));
  if (!host || host.closing) return withTenant(caller, fn);
  host.joined++;
  try {
    // The page's transaction could not open: this read tries on its own (and reports its own error).
    const tx = await host.tx.catch(() => null);
    if (!tx) return await withTenant(caller, fn);
    // As withTenant runs its own: log lines name the tenant, and the hold-and-wait check sees a held connection.
    return await withLogContext({ tenant_id: caller.activeTenantId ?? undefined }, () => whileHolding(() => fn(tx)));
  } finally {
    host.joined--;
    if (host.joined === 0 && host.onIdle) {
      const idle = host.onIdle;
      host.onIdle = null;
      idle();
    }
  }
}

/**
 * The claims (memberships, as the access-token hook built them) of this
 * render's page transaction of this person, or null when none starts within
 * JOIN_WAIT_MS or it could not open. For the 403 page, which Next renders with
 * every page: it needs only the person's memberships, which the page's
 * transaction has already read.
 */
export async function claimsOfRender(userId: string): Promise<Claims | null> {
  const render = currentRender();
  if (!render) return null;
  const host = [...render.hosts.values()].find((h) => h.userId === userId) ?? (await pageHost(render, userKey(userId)));
  if (!host) return null;
  try {
    return (await host.tx).claims;
  } catch {
    return null;
  }
}

/** The page's transaction for this key, waiting up to JOIN_WAIT_MS for one to start. */
function pageHost(render: RenderRuns, key: string): Promise<Host | null> {
  const host = render.hosts.get(key);
  if (host) return Promise.resolve(host);
  return new Promise((resolve) => {
    const list = render.waiting.get(key) ?? [];
    let done = false;
    const wake = (h: Host | null) => {
      if (done) return;
      done = true;
      resolve(h);
    };
    list.push(wake);
    render.waiting.set(key, list);
    setTimeout(() => {
      const still = render.waiting.get(key);
      if (still) {
        const i = still.indexOf(wake);
        if (i >= 0) still.splice(i, 1);
      }
      wake(null);
    }, JOIN_WAIT_MS);
  });
}
