// A worker process for tests/key-rotation.test.ts to kill: runs the DEK
// rotation jobs that are due against DATABASE_URL, pausing ROTATION_BATCH_DELAY_MS
// after each committed batch so the test can SIGKILL it half-way.
//   DATABASE_URL=… ROTATION_BATCH_DELAY_MS=150 JOBS_WORKER_STALE_MS=3000 tsx tests/helpers/rotation-worker.ts
import { closePool } from "@/lib/db/pool";
import { runJobsUntilIdle } from "@/lib/jobs";
import { createRotateDekHandler, ROTATE_DEK_KIND } from "@/lib/vault/rotation";

const delay = Number(process.env.ROTATION_BATCH_DELAY_MS ?? 0);
const handler = createRotateDekHandler({
  afterBatch: async ({ done, total }) => {
    process.stdout.write(`batch ${done}/${total}\n`);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  },
});
const { outcomes } = await runJobsUntilIdle({ kinds: [ROTATE_DEK_KIND], handlers: { [ROTATE_DEK_KIND]: handler }, workerId: "doomed-worker" });
process.stdout.write(`finished: ${outcomes.join(",")}\n`);
await closePool();
