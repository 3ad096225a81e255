// The per-tenant collector (lib/collector, docs/collector.md):
//
//   npm run collector -- --tenant <slug> [--name <name>] [--once]
//
// Exit codes: 0 stopped by SIGTERM/SIGINT (or --once caught up); 1 failed
// (with --once: a cycle failed);
// 2 bad usage or settings; 3 the portal refused the key (revoked, expired,
// another tenant's, missing a scope): restarting will not help.
import { log, scrubText } from "@/lib/log";
import { COLLECTOR_USAGE, CollectorConfigError, collectorConfig } from "@/lib/collector/config";
import { runCollector } from "@/lib/collector/worker";

/** Seconds a stop may take before the process exits anyway (Kubernetes waits 30 by default). */
const STOP_DEADLINE_MS = 20_000;

let config;
try {
  config = collectorConfig(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof CollectorConfigError)) throw error;
  console.error(`collector: ${error.message}\n${COLLECTOR_USAGE}`);
  process.exit(2);
}

const controller = new AbortController();
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    if (controller.signal.aborted) return;
    log.info({ event: "collector.stopping", signal: sig }, "stopping");
    controller.abort();
    setTimeout(() => {
      log.error({ event: "collector.stop-timeout" }, "did not stop in time; exiting");
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
  });
}

let code = 1;
try {
  const exit = await runCollector(config, { signal: controller.signal });
  code = exit === "refused" ? 3 : exit === "failed" ? 1 : 0;
} catch (error) {
  const e = error as Error;
  log.error({ event: "collector.failed", reason: scrubText(`${e?.name}: ${e?.message}`, [config.apiKey]) }, "collector failed");
}
// pino writes asynchronously to stdout; let it drain before leaving.
setTimeout(() => process.exit(code), 50);
