// Runs once when a Next.js server process starts (next start / next dev).
// It starts the durable job worker (lib/jobs) inside the Node.js server:
// key rotations, later provisioning and rollups. Not in the Edge runtime, not
// during `next build`, and not when JOBS_WORKER=0 (run at least one replica
// with it on; docs/deployment.md). It also starts the key event listener that
// evicts cached tenant keys the moment one is retired or destroyed anywhere.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    if (process.env.NEXT_PHASE === "phase-production-build") return;
    const { startServerKeyEventListener } = await import("./lib/vault/key-events");
    startServerKeyEventListener();
    if (process.env.JOBS_WORKER === "0") return;
    const { startServerJobWorker } = await import("./lib/jobs/server-worker");
    startServerJobWorker();
  }
}
