// The job worker inside the Next server (instrumentation.ts calls this once
// per server process). One per process even if register() runs again (dev
// reloads): the handle lives on globalThis. On SIGTERM/SIGINT
// (instrumentation.ts) the worker stops claiming and gives a running job back
// to the queue at its next checkpoint; if the process dies first, the job's
// lease lapses and another worker carries on (handlers are written for that).
import { log, safeError } from "@/lib/log";
import { registerDefaultHandlers } from "./default-handlers";
import { newWorkerId, runWorker } from "./worker";

interface ServerWorker {
  id: string;
  stop(): Promise<void>;
}

const globalForWorker = globalThis as unknown as { __msspJobWorker?: ServerWorker };

export function startServerJobWorker(): ServerWorker {
  if (globalForWorker.__msspJobWorker) return globalForWorker.__msspJobWorker;
  registerDefaultHandlers();
  const controller = new AbortController();
  const id = newWorkerId("portal");
  const loop = runWorker({ signal: controller.signal, workerId: id }).catch((error) =>
    log.error({ event: "jobs.worker-crashed", workerId: id, err: safeError(error) }, "the job worker stopped on an error"),
  );
  const worker: ServerWorker = {
    id,
    async stop() {
      controller.abort();
      await loop;
    },
  };
  globalForWorker.__msspJobWorker = worker;
  return worker;
}
