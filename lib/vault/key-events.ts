// Keeps this process's DEK cache honest across replicas: Postgres notifies
// (channel mssp_portal_keyring, supabase/migrations/20261129000600) when a
// tenant key is retired or destroyed anywhere, and we evict that tenant's
// cached keys at once.
//
// The connection is lib/cache/listen.ts's, as the cache listener's: it
// reconnects after an 'error' or an 'end', and a notification sent while it
// was down (a crypto-shred included) is lost, so every cached DEK is dropped
// when the connection is lost and again once LISTEN is back. The cache TTL
// (VAULT_KEY_CACHE_TTL_MS) bounds what only a listener that stays silently
// deaf could miss.
import { startNotificationListener, type NotificationListener } from "@/lib/cache/listen";
import { clearKeyCache, evictTenantKeys } from "./keys";

export const KEYRING_CHANNEL = "mssp_portal_keyring";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type KeyEventListener = NotificationListener;

export function startKeyEventListener(opts: { url?: string; retryMs?: number; applicationName?: string } = {}): KeyEventListener {
  return startNotificationListener({
    channel: KEYRING_CHANNEL,
    onNotification: (payload) => {
      if (!payload) return;
      try {
        const { tenant_id: tenantId } = JSON.parse(payload) as { tenant_id?: string };
        if (tenantId && UUID.test(tenantId)) evictTenantKeys(tenantId);
      } catch {
        // Not ours; ignore.
      }
    },
    onGap: clearKeyCache,
    applicationName: opts.applicationName ?? "portal:keyring-listener",
    logEvent: "vault.key-listener-error",
    label: "key event listener",
    dropped: "cached keys dropped",
    url: opts.url,
    retryMs: opts.retryMs ?? 5_000,
  });
}

const globalForListener = globalThis as unknown as { __msspKeyListener?: KeyEventListener };

/** One listener per server process (instrumentation.ts). */
export function startServerKeyEventListener(): KeyEventListener {
  globalForListener.__msspKeyListener ??= startKeyEventListener();
  return globalForListener.__msspKeyListener;
}
