// The cache listener: one dedicated connection per process that LISTENs on
// CACHE_CHANNEL and evicts what each notification names (lib/cache/index.ts).
// The connection is ./listen.ts's: on a lost connection it reconnects after
// retryMs, and when it is lost and on every (re)connect it clears every cache
// in the process: notifications sent while it was away are lost, so nothing
// cached before is trusted.
import { CACHE_CHANNEL, clearAllLocal, evictLocal, parseEviction } from "./index";
import { startNotificationListener, type NotificationListener } from "./listen";

export type CacheListener = NotificationListener;

export function startCacheListener(opts: { url?: string; retryMs?: number; applicationName?: string } = {}): CacheListener {
  return startNotificationListener({
    channel: CACHE_CHANNEL,
    onNotification: (payload) => {
      const m = parseEviction(payload);
      if (m) evictLocal(m.cache, m.key);
    },
    onGap: clearAllLocal,
    applicationName: opts.applicationName ?? "portal:cache-listener",
    logEvent: "cache.listener-error",
    label: "cache listener",
    dropped: "caches cleared",
    url: opts.url,
    retryMs: opts.retryMs ?? 2_000,
  });
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
