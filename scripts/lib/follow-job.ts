// Following a queued job from a command: runs a worker for its kind until the
// job has finished, drawing a progress bar (redrawn in place on a terminal,
// a line per change otherwise). If another worker (the portal's) takes the
// job first, this just follows it. Shared by `npm run keys` and `npm run tenants`.
import type { JobView } from "@/lib/jobs";

const BAR_WIDTH = 30;

export function progressBar(job: JobView, label = ""): string {
  const total = job.progressTotal;
  const succeeded = job.status === "succeeded";
  const fraction = succeeded ? 1 : total ? Math.min(1, job.progressDone / total) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const counts = total === null ? "" : ` ${succeeded ? total : job.progressDone}/${total}`;
  const state = job.status === "queued" ? (job.attempts > 0 ? " retrying…" : " waiting for a worker…") : label ? ` ${label}` : "";
  return `[${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%${counts}${state}`;
}

/** Runs a worker until the job is finished, drawing its bar. Returns the finished job. */
export async function followJob(tenantId: string, jobId: string, kind: string, opts: { label?: (job: JobView) => Promise<string> } = {}): Promise<JobView> {
  const { getJobAsService, isFinished, newWorkerId, runWorker } = await import("@/lib/jobs");
  const { registerDefaultHandlers } = await import("@/lib/jobs/default-handlers");
  registerDefaultHandlers();
  const tty = process.stdout.isTTY === true;
  const controller = new AbortController();
  const worker = runWorker({ signal: controller.signal, workerId: newWorkerId("cli"), kinds: [kind], pollMs: 200 });
  let last = "";
  let job: JobView | null = null;
  try {
    for (;;) {
      job = await getJobAsService(tenantId, jobId);
      if (!job) throw new Error(`job ${jobId} disappeared (was its tenant deleted?)`);
      const line = progressBar(job, opts.label ? await opts.label(job) : "");
      if (line !== last) {
        if (tty) process.stdout.write(`\r${line}\x1b[K`);
        else if (isFinished(job.status) || line.replace(/\d+\/\d+/, "") !== last.replace(/\d+\/\d+/, "")) console.log(line);
        last = line;
      }
      if (isFinished(job.status)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    if (tty) process.stdout.write("\n");
    controller.abort();
    await worker;
  }
  return job!;
}
