// A worker process for tests/bulk-resume.test.ts to lose: runs the due bulk
// runs against DATABASE_URL and SIGKILLs itself inside the KILL_AT_ITEM-th
// tenant's transaction, after that tenant's change and audit row were written
// and before the commit (the worst moment: work done, not yet committed).
//   DATABASE_URL=… CERBOS_URL=… KILL_AT_ITEM=3 tsx tests/helpers/bulk-worker.ts
import { BULK_JOB_KIND, createBulkRunHandler } from "@/lib/bulk";
import { closePool } from "@/lib/db/pool";
import { runJobsUntilIdle } from "@/lib/jobs";

const killAt = Number(process.env.KILL_AT_ITEM ?? 0);
let seen = 0;
const handler = createBulkRunHandler({
  beforeCommit: () => {
    if (killAt > 0 && ++seen >= killAt) process.kill(process.pid, "SIGKILL");
  },
});
const { outcomes } = await runJobsUntilIdle({ kinds: [BULK_JOB_KIND], handlers: { [BULK_JOB_KIND]: handler }, workerId: "doomed-bulk-worker" });
process.stdout.write(`finished: ${outcomes.join(",")}\n`);
await closePool();
