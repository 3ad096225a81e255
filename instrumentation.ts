// Runs once when a Next.js server process starts (next start / next dev).
// It starts the durable job worker (lib/jobs) inside the Node.js server:
// key rotations, later provisioning and rollups. Not in the Edge runtime, not
// during `next build`, and not when JOBS_WORKER=0 (run at least one replica
// with it on; docs/deployment.md). It also starts the key event listener that
// evicts cached tenant keys the moment one is retired or destroyed anywhere.
//
// On SIGTERM/SIGINT it winds them down in order: the worker stops claiming
// and hands a running job back at its next checkpoint, the listener closes,
// work begun after an answer (auth events, reset codes) is settled, then the pool (so connections the database ends during shutdown are not
// reported as errors). Best effort: Next exits the process soon after.
//
// Before anything else it validates every setting (lib/config): a server with
// a wrong value refuses to start, with one line per bad variable, rather than
// running with a value that means something else (issue 9, finding 10).
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    if (process.env.NEXT_PHASE === "phase-production-build") return;
    const { serverSettings, SettingsError } = await import("./lib/config");
    let settings: import("./lib/config").Settings;
    try {
      settings = serverSettings();
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      // Not the logger: its own level is a setting that may be the bad one.
      process.stderr.write(`The portal cannot start. ${error.message}\n`);
      process.exit(1);
    }
    // Next adds x-middleware-rewrite (the internal route) after the proxy
    // ran; drop it as headers are sent (lib/http/internal-headers.ts).
    const { stripInternalResponseHeaders } = await import("./lib/http/internal-headers");
    stripInternalResponseHeaders();
    // DATABASE_TLS set: one connection now, so a server without TLS (or with
    // a certificate that does not verify) stops the start, not the first request.
    if (settings.DATABASE_TLS) {
      const [{ checkDatabaseTls, DatabaseTlsError }, { default: pg }] = await Promise.all([import("./lib/db/connection"), import("pg")]);
      try {
        await checkDatabaseTls(pg, settings.DATABASE_URL!, settings);
      } catch (error) {
        if (!(error instanceof DatabaseTlsError)) throw error;
        process.stderr.write(`The portal cannot start. ${error.message}\n`);
        process.exit(1);
      }
    }
    const { startServerKeyEventListener } = await import("./lib/vault/key-events");
    const listener = startServerKeyEventListener();
    // Evicts lib/cache entries (brand per host, custom domains) changed in any replica.
    const { startServerCacheListener } = await import("./lib/cache/listener");
    const cacheListener = startServerCacheListener();
    const { startServerJobWorker } = await import("./lib/jobs/server-worker");
    const worker = settings.JOBS_WORKER ? startServerJobWorker() : null;
    const { closePool } = await import("./lib/db/pool");
    // Work begun after an answer (auth events, reset codes) finishes before the pool closes.
    const [{ settleAuthEvents }, { settleResetRequests }] = await Promise.all([import("./lib/auth/events"), import("./lib/account/password-reset")]);
    // Only beside Next's own exit-on-signal handlers: a listener here must
    // never be what keeps a process from exiting (NEXT_MANUAL_SIG_HANDLE turns
    // those off, and then whoever set it owns shutdown).
    if (!process.env.NEXT_MANUAL_SIG_HANDLE && !globalForShutdown.__msspShutdownHooked) {
      globalForShutdown.__msspShutdownHooked = true;
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        process.once(signal, () => void (async () => {
          await worker?.stop();
          await listener.stop();
          await cacheListener.stop();
          await Promise.all([settleAuthEvents(), settleResetRequests()]);
          await closePool();
        })().catch(() => {}));
      }
    }
  }
}

const globalForShutdown = globalThis as unknown as { __msspShutdownHooked?: boolean };
