// The cache listener: one dedicated connection per process that LISTENs on
// CACHE_CHANNEL and evicts what each notification names (lib/cache/index.ts).
// LISTEN needs a session of its own, so this is not a pool client; it holds no
// transaction and sets no claims. On a lost connection it reconnects after
// retryMs, and on every (re)connect it clears every cache in the process:
// notifications sent while it was away are lost, so nothing cached before is trusted.
import pg from "pg";
import { pgConnectionConfig } from "@/lib/db/connection";
import { databaseUrl } from "@/lib/db/pool";
import { log, safeError } from "@/lib/log";
import { CACHE_CHANNEL, clearAllLocal, evictLocal, parseEviction } from "./index";

export interface CacheListener {
  /** Resolves once the first LISTEN is in place. */
  ready: Promise<void>;
  /** True while the LISTEN connection is up. */
  readonly connected: boolean;
  stop(): Promise<void>;
}

export function startCacheListener(opts: { url?: string; retryMs?: number; applicationName?: string } = {}): CacheListener {
  let client: pg.Client | undefined;
  let stopped = false;
  let connected = false;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const lost = (c: pg.Client, error: unknown, message: string) => {
    if (client !== c) return;
    connected = false;
    if (!stopped) log.warn({ event: "cache.listener-error", err: safeError(error) }, message);
    void c.end().catch(() => {});
    schedule();
  };
  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ ...pgConnectionConfig(opts.url ?? databaseUrl()), application_name: opts.applicationName ?? "portal:cache-listener" });
    client = c;
    c.on("notification", (msg) => {
      if (msg.channel !== CACHE_CHANNEL) return;
      const m = parseEviction(msg.payload);
      if (m) evictLocal(m.cache, m.key);
    });
    c.on("error", (error) => lost(c, error, "cache listener lost its connection; caches cleared, reconnecting"));
    c.on("end", () => lost(c, new Error("connection ended"), "cache listener connection ended; reconnecting"));
    try {
      await c.connect();
      await c.query(`listen ${CACHE_CHANNEL}`);
      if (stopped) return void c.end().catch(() => {});
      connected = true;
      clearAllLocal();
      markReady();
    } catch (error) {
      lost(c, error, "cache listener could not connect; retrying");
    }
  };
  const schedule = () => {
    if (stopped || timer) return;
    clearAllLocal();
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, opts.retryMs ?? 2_000);
    timer.unref?.();
  };

  void connect();
  return {
    ready,
    get connected() {
      return connected;
    },
    async stop() {
      stopped = true;
      connected = false;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}

const globalForListener = globalThis as unknown as { __msspCacheListener?: CacheListener };

/** One listener per server process (instrumentation.ts starts it). */
export function startServerCacheListener(): CacheListener {
  globalForListener.__msspCacheListener ??= startCacheListener();
  return globalForListener.__msspCacheListener;
}

/** The process's listener if one was started. */
export function serverCacheListener(): CacheListener | undefined {
  return globalForListener.__msspCacheListener;
}
