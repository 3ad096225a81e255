// A worker process for the lifecycle tests to lose: runs the due lifecycle
// workflows against DATABASE_URL, with the step named by KILL_AFTER_STEP
// doing its real work and then SIGKILLing this process before the step is
// recorded as done (the worst moment: work done, not yet remembered).
// KILL_AT_PROGRESS=n instead kills on a step's nth progress report (mid-purge).
//   DATABASE_URL=… KILL_AFTER_STEP=isolation tsx tests/helpers/lifecycle-worker.ts
import { closePool } from "@/lib/db/pool";
import { runJobsUntilIdle } from "@/lib/jobs";
import { defineWorkflow, type WorkflowSpec } from "@/lib/jobs/workflow";
import { OFFBOARD_KIND } from "@/lib/lifecycle/offboard";
import { offboardSpec } from "@/lib/lifecycle/offboard-workflow";
import { PROVISION_KIND } from "@/lib/lifecycle/provision";
import { provisionSpec } from "@/lib/lifecycle/provision-workflow";

const killAfter = process.env.KILL_AFTER_STEP;
const killAtProgress = Number(process.env.KILL_AT_PROGRESS ?? 0);
let reports = 0;
const die = () => process.kill(process.pid, "SIGKILL");

function doomed(spec: WorkflowSpec): WorkflowSpec {
  return {
    ...spec,
    steps: spec.steps.map((step) => ({
      name: step.name,
      run: async (ctx) => {
        const out = await step.run({
          ...ctx,
          stepProgress: async (done, total) => {
            await ctx.stepProgress(done, total);
            if (killAtProgress > 0 && ++reports >= killAtProgress) die();
          },
        });
        if (step.name === killAfter) die();
        return out;
      },
    })),
  };
}

const { outcomes } = await runJobsUntilIdle({
  kinds: [PROVISION_KIND, OFFBOARD_KIND],
  handlers: { [PROVISION_KIND]: defineWorkflow(doomed(provisionSpec())), [OFFBOARD_KIND]: defineWorkflow(doomed(offboardSpec())) },
  workerId: "doomed-lifecycle-worker",
});
process.stdout.write(`finished: ${outcomes.join(",")}\n`);
await closePool();
