// Keeps this process's DEK cache honest across replicas: Postgres notifies
// (channel mssp_portal_keyring, supabase/migrations/20261129000600) when a
// tenant key is retired or destroyed anywhere, and we evict that tenant's
// cached keys at once. The cache TTL (VAULT_KEY_CACHE_TTL_MS) stays the
// fallback while the listener is (re)connecting.
//
// LISTEN needs a session of its own, so this is one dedicated connection, not
// a pool client; it holds no transaction and sets no claims.
import pg from "pg";
import { databaseUrl } from "@/lib/db/pool";
import { pgConnectionConfig } from "@/lib/db/connection";
import { log, safeError } from "@/lib/log";
import { evictTenantKeys } from "./keys";

export const KEYRING_CHANNEL = "mssp_portal_keyring";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface KeyEventListener {
  /** Resolves once the first LISTEN is in place. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function startKeyEventListener(opts: { url?: string; retryMs?: number } = {}): KeyEventListener {
  let client: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ ...pgConnectionConfig(opts.url ?? databaseUrl()), application_name: "portal:keyring-listener" });
    client = c;
    c.on("notification", (msg) => {
      if (msg.channel !== KEYRING_CHANNEL || !msg.payload) return;
      try {
        const { tenant_id: tenantId } = JSON.parse(msg.payload) as { tenant_id?: string };
        if (tenantId && UUID.test(tenantId)) evictTenantKeys(tenantId);
      } catch {
        // Not ours; ignore.
      }
    });
    c.on("error", (error) => {
      log.warn({ event: "vault.key-listener-error", err: safeError(error) }, "key event listener lost its connection");
      void c.end().catch(() => {});
      schedule();
    });
    try {
      await c.connect();
      await c.query(`listen ${KEYRING_CHANNEL}`);
      markReady();
    } catch (error) {
      log.warn({ event: "vault.key-listener-error", err: safeError(error) }, "key event listener could not connect; retrying");
      void c.end().catch(() => {});
      schedule();
    }
  };
  const schedule = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, opts.retryMs ?? 5_000);
    timer.unref?.();
  };

  void connect();
  return {
    ready,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}

const globalForListener = globalThis as unknown as { __msspKeyListener?: KeyEventListener };

/** One listener per server process (instrumentation.ts). */
export function startServerKeyEventListener(): KeyEventListener {
  globalForListener.__msspKeyListener ??= startKeyEventListener();
  return globalForListener.__msspKeyListener;
}
