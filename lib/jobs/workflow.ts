// A workflow is a job made of named steps run in order, each idempotent, each
// with its own row in public.job_steps (status, attempts, scrubbed error,
// output). A crash at any step resumes at that step: finished steps are never
// run again, and a step that was running when its worker died runs again from
// its start (which is why each must be safe to repeat). A failed workflow can
// be retried (lib/jobs retryJob) and carries on from the failed step.
import { withServiceRole } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { describeJobError, updateClaimedJob } from "./attempt";
import { LeaseLostError } from "./errors";
import type { ClaimedJob, JobAudit, JobContext, JobHandler, JobOutcome } from "./types";
import { checkpoint } from "./worker";

export type StepOutputs = Record<string, Record<string, unknown>>;

export interface StepContext {
  job: ClaimedJob;
  jobCtx: JobContext;
  /** What earlier steps returned, by step name. */
  outputs: StepOutputs;
  /** A long step's own progress (shown as the step's bar); also proves the job is still this worker's. */
  stepProgress(done: number, total: number): Promise<void>;
}

export interface WorkflowStep {
  name: string;
  run(ctx: StepContext): Promise<Record<string, unknown> | void>;
}

export interface WorkflowSpec {
  requires: JobHandler["requires"];
  runsWhileFrozen?: boolean;
  steps: readonly WorkflowStep[];
  /** The job's result and audit row once every step is done. */
  finish(job: ClaimedJob, outputs: StepOutputs): JobOutcome | Promise<JobOutcome>;
  auditFailure?(job: ClaimedJob, error: { name: string; message: string }): JobAudit | undefined;
}

interface StepRow {
  position: number;
  name: string;
  status: string;
  output: Record<string, unknown>;
}

async function ensureSteps(job: ClaimedJob, names: readonly string[]): Promise<StepRow[]> {
  return withServiceRole("jobs.worker", async (db) => {
    await db.$client.query(
      `insert into public.job_steps (tenant_id, job_id, position, name)
       select $1, $2, s.position - 1, s.name from unnest($3::text[]) with ordinality as s(name, position)
       on conflict do nothing`,
      [job.tenantId, job.id, names],
    );
    const { rows } = await db.$client.query<StepRow>(
      `select position, name, status, output from public.job_steps where tenant_id = $1 and job_id = $2 order by position`,
      [job.tenantId, job.id],
    );
    return rows;
  });
}

async function setStep(db: Db, job: ClaimedJob, name: string, sql: string, params: unknown[]): Promise<void> {
  // The job row check first: a worker that lost the job must not touch its steps.
  await updateClaimedJob(db, job);
  await db.$client.query(`update public.job_steps set ${sql} where tenant_id = $1 and job_id = $2 and name = $3`, [
    job.tenantId,
    job.id,
    name,
    ...params,
  ]);
}

export function defineWorkflow(spec: WorkflowSpec): JobHandler {
  const names = spec.steps.map((s) => s.name);
  if (new Set(names).size !== names.length) throw new Error(`workflow step names must be unique: ${names.join(", ")}`);
  return {
    requires: spec.requires,
    runsWhileFrozen: spec.runsWhileFrozen,
    auditFailure: spec.auditFailure,
    async run(jobCtx) {
      const job = jobCtx.job;
      const rows = await ensureSteps(job, names);
      const outputs: StepOutputs = {};
      for (const r of rows) if (r.status === "succeeded") outputs[r.name] = r.output;
      const total = spec.steps.length;
      for (const [i, step] of spec.steps.entries()) {
        if (outputs[step.name]) continue;
        checkpoint(jobCtx);
        await withServiceRole("jobs.worker", (db) =>
          setStep(db, job, step.name, `status = 'running', attempts = attempts + 1, started_at = now(), finished_at = null, last_error = null`, []),
        );
        let output: Record<string, unknown>;
        try {
          output = (await step.run({
            job,
            jobCtx,
            outputs,
            stepProgress: (done, stepTotal) =>
              withServiceRole("jobs.worker", (db) =>
                setStep(db, job, step.name, `output = output || jsonb_build_object('done', $4::int, 'total', $5::int)`, [done, stepTotal]),
              ),
          })) ?? {};
        } catch (error) {
          if (!(error instanceof LeaseLostError)) {
            await withServiceRole("jobs.worker", (db) =>
              setStep(db, job, step.name, `status = 'failed', finished_at = now(), last_error = $4`, [describeJobError(error)]),
            ).catch(() => {});
          }
          throw error;
        }
        outputs[step.name] = output;
        await withServiceRole("jobs.worker", async (db) => {
          await setStep(db, job, step.name, `status = 'succeeded', finished_at = now(), output = output || $4::jsonb`, [JSON.stringify(output)]);
          await updateClaimedJob(db, job, { progressDone: i + 1, progressTotal: total });
        });
      }
      return spec.finish(job, outputs);
    },
  };
}
