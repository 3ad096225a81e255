// One Postgres LISTEN connection that stays up: what the cache listener
// (./listener.ts) and the DEK cache's key-event listener
// (lib/vault/key-events.ts) share. LISTEN needs a session of its own, so this
// is a dedicated pg.Client, not a pool client; it holds no transaction and
// sets no claims.
//
// A connection can be lost with an 'error' event (a terminated backend, a
// broken socket), with only an 'end' (pg emits no error when it already
// reported one while connecting), or fail to connect at all: each schedules a
// reconnect after retryMs. Notifications sent while no LISTEN is in place are
// lost for good, so `onGap` runs when the connection is lost and again once
// LISTEN is back: it drops whatever the notifications were keeping honest
// (every lib/cache cache; every cached DEK). Nothing cached before or during
// the gap is trusted after it.
import pg from "pg";
import { pgConnectionConfig } from "@/lib/db/connection";
import { databaseUrl } from "@/lib/db/pool";
import { log, safeError } from "@/lib/log";

export interface NotificationListener {
  /** Resolves once the first LISTEN is in place. */
  ready: Promise<void>;
  /** True while the LISTEN connection is up. */
  readonly connected: boolean;
  stop(): Promise<void>;
}

export interface NotificationListenerOptions {
  /** The channel to LISTEN on (a plain identifier). */
  channel: string;
  /** What a notification on the channel does. */
  onNotification(payload: string | undefined): void;
  /** Drops what missed notifications could have made stale: run when the connection is lost and on every (re)connect. */
  onGap(): void;
  /** The connection's application_name (pg_stat_activity). */
  applicationName: string;
  /** The log event for a lost or failed connection; who speaks in its message ("cache listener"), and what onGap drops ("caches cleared"). */
  logEvent: string;
  label: string;
  dropped: string;
  url?: string;
  retryMs: number;
}

export function startNotificationListener(opts: NotificationListenerOptions): NotificationListener {
  if (!/^[a-z_][a-z0-9_]*$/.test(opts.channel)) throw new Error(`channel ${JSON.stringify(opts.channel)}: a plain identifier only`);
  let client: pg.Client | undefined;
  let stopped = false;
  let connected = false;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const lost = (c: pg.Client, error: unknown, message: string) => {
    if (client !== c) return;
    connected = false;
    if (!stopped) log.warn({ event: opts.logEvent, err: safeError(error) }, `${opts.label} ${message}; ${opts.dropped}, reconnecting`);
    void c.end().catch(() => {});
    schedule();
  };
  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ ...pgConnectionConfig(opts.url ?? databaseUrl()), application_name: opts.applicationName });
    client = c;
    c.on("notification", (msg) => {
      if (msg.channel === opts.channel) opts.onNotification(msg.payload);
    });
    c.on("error", (error) => lost(c, error, "lost its connection"));
    c.on("end", () => lost(c, new Error("connection ended"), "connection ended"));
    try {
      await c.connect();
      await c.query(`listen ${opts.channel}`);
      if (stopped) return void c.end().catch(() => {});
      connected = true;
      opts.onGap();
      markReady();
    } catch (error) {
      lost(c, error, "could not connect");
    }
  };
  const schedule = () => {
    if (stopped || timer) return;
    opts.onGap();
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, opts.retryMs);
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
