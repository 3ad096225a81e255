// One shared per-process cache with cross-process eviction (issue 14).
//
// Each app process (Next server replica, job worker) keeps its own small
// in-memory map per named cache: entries expire after `ttlMs` and the map
// never holds more than `maxEntries` (least recently used goes first). When
// the underlying data changes anywhere, the writer sends a NOTIFY on the
// channel CACHE_CHANNEL in the same transaction as the change (Postgres
// delivers it at commit, never for a rolled-back change): either with
// notifyCacheEviction() on the transaction's client, or from a trigger with
//   perform pg_notify('mssp_portal_cache', json_build_object('cache', '<name>', 'key', <key>)::text);
// Every process's listener (one dedicated connection, reconnecting) evicts
// that key from its copy of that cache. While the listener is down (or
// reconnecting) notifications can be missed, so it clears every cache when
// it loses its connection and when it (re)connects (./listener.ts, ./listen.ts).
// A cache whose null means "no such thing" sets maxMisses: its nulls are kept
// apart, in a bound of their own, so made-up keys cannot push real entries out.
export const CACHE_CHANNEL = "mssp_portal_cache";
/** Key meaning "every entry of this cache". */
export const ALL_KEYS = "*";

export interface SharedCacheOptions {
  /** How long an entry may be served without a reload (the staleness bound if a notification is missed). */
  ttlMs: number;
  /** Most entries held; the least recently used is dropped first. */
  maxEntries: number;
  /**
   * Set for a cache whose null means "no such thing" (an unknown slug): nulls are kept apart, at most
   * this many (least recently used first), so looking up made-up keys cannot push real entries out.
   * Evicted with the cache (the same notifications, delete, clear). Unset: nulls are entries like any other.
   */
  maxMisses?: number;
}

interface Entry<V> {
  value: V;
  expires: number;
}

export interface SharedCache<V> {
  readonly name: string;
  /** The cached value, or undefined when absent or expired. */
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  /** The cached value, else loader()'s (stored). Concurrent misses for one key share one load. */
  getOrLoad(key: string, loader: () => Promise<V>): Promise<V>;
  /** Evicts one key in this process only (use notifyCacheEviction to evict everywhere). */
  delete(key: string): void;
  /** Evicts every entry in this process only. */
  clear(): void;
  /** Entries held (the nulls kept apart under maxMisses not counted). */
  readonly size: number;
  /** Nulls held apart (maxMisses); 0 without it. */
  readonly missSize: number;
}

const globalForCaches = globalThis as unknown as { __msspCaches?: Map<string, SharedCacheImpl<unknown>> };
const registry = (globalForCaches.__msspCaches ??= new Map());

/** A map bounded in time and size: the least recently used key goes first. */
class Lru<V> {
  private readonly map = new Map<string, Entry<V>>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get size() {
    return this.map.size;
  }

  /** The entry, or undefined when absent or expired. */
  get(key: string): Entry<V> | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expires <= Date.now()) {
      this.map.delete(key);
      return undefined;
    }
    // Re-insert: Map iteration order is insertion order, so the first key is the least recently used.
    this.map.delete(key);
    this.map.set(key, e);
    return e;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, { value, expires: Date.now() + this.ttlMs });
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}

class SharedCacheImpl<V> implements SharedCache<V> {
  private readonly entries: Lru<V>;
  // Nulls (maxMisses set): apart from the entries, so misses never evict a real entry.
  private readonly misses: Lru<V> | null;
  private readonly loading = new Map<string, Promise<V>>();
  // Bumped on every eviction: a load that started before it does not store its (maybe stale) result.
  private generation = 0;
  constructor(
    readonly name: string,
    opts: SharedCacheOptions,
  ) {
    this.entries = new Lru<V>(opts.ttlMs, opts.maxEntries);
    this.misses = opts.maxMisses ? new Lru<V>(opts.ttlMs, opts.maxMisses) : null;
  }

  get size() {
    return this.entries.size;
  }

  get missSize() {
    return this.misses?.size ?? 0;
  }

  get(key: string): V | undefined {
    return (this.entries.get(key) ?? this.misses?.get(key))?.value;
  }

  set(key: string, value: V): void {
    if (this.misses && value === null) {
      this.entries.delete(key);
      this.misses.set(key, value);
    } else {
      this.misses?.delete(key);
      this.entries.set(key, value);
    }
  }

  async getOrLoad(key: string, loader: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const gen = this.generation;
    const p = loader().then(
      (value) => {
        if (this.loading.get(key) === p) this.loading.delete(key);
        if (gen === this.generation) this.set(key, value);
        return value;
      },
      (error: unknown) => {
        if (this.loading.get(key) === p) this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, p);
    return p;
  }

  delete(key: string): void {
    this.generation++;
    this.loading.delete(key);
    this.entries.delete(key);
    this.misses?.delete(key);
  }

  clear(): void {
    this.generation++;
    this.loading.clear();
    this.entries.clear();
    this.misses?.clear();
  }
}

/**
 * The cache named `name` in this process (created on first call; later calls
 * with the same name return the same cache). Names are short, unique per use:
 * "brand-by-host", "domain-routed".
 */
export function sharedCache<V>(name: string, opts: SharedCacheOptions): SharedCache<V> {
  if (!/^[a-z0-9][a-z0-9:_-]{0,62}$/.test(name)) throw new Error(`cache name ${JSON.stringify(name)}: lower-case letters, digits, - _ : only`);
  let c = registry.get(name) as SharedCacheImpl<V> | undefined;
  if (!c) {
    c = new SharedCacheImpl<V>(name, opts);
    registry.set(name, c as SharedCacheImpl<unknown>);
  }
  return c;
}

/** Evicts `key` (or ALL_KEYS) of cache `name` in this process; what the listener runs on a notification. */
export function evictLocal(name: string, key: string): void {
  const c = registry.get(name);
  if (!c) return;
  if (key === ALL_KEYS) c.clear();
  else c.delete(key);
}

/** Clears every cache in this process (the listener's (re)connect; tests). */
export function clearAllLocal(): void {
  for (const c of registry.values()) c.clear();
}

/** Anything with pg's query(): a pg.Client, a pool client inside withTenant/withServiceRole, a drizzle session's $client. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** The NOTIFY payload (JSON); Postgres limits a payload to 8000 bytes. */
export interface EvictionMessage {
  cache: string;
  key: string;
}

/**
 * Queues an eviction of `keys` of cache `name` in every process, on `q`'s
 * current transaction: delivered at commit, dropped on rollback. Call it in
 * the transaction that makes the change. Also evicts here at once.
 */
export async function notifyCacheEviction(q: Queryable, name: string, keys: string | readonly string[]): Promise<void> {
  const list = typeof keys === "string" ? [keys] : [...new Set(keys)];
  for (const key of list) {
    const payload = JSON.stringify({ cache: name, key } satisfies EvictionMessage);
    if (Buffer.byteLength(payload) > 7900) throw new Error(`cache key too long for a notification (cache ${name})`);
    await q.query("select pg_notify($1, $2)", [CACHE_CHANNEL, payload]);
    evictLocal(name, key);
  }
}

/** Parses a notification payload; null when it is not a well-formed eviction. */
export function parseEviction(payload: string | undefined): EvictionMessage | null {
  if (!payload) return null;
  try {
    const m = JSON.parse(payload) as Partial<EvictionMessage>;
    if (typeof m.cache !== "string" || typeof m.key !== "string") return null;
    return { cache: m.cache, key: m.key };
  } catch {
    return null;
  }
}
