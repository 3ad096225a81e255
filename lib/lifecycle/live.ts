// What the live timelines poll: the tenant's state and its newest provisioning
// and offboarding workflows with their steps, under RLS.
import type { TenantTx } from "@/lib/db/with-tenant";
import { jobSteps } from "@/lib/jobs";
import { jobJson } from "@/lib/jobs/json";
import { jobView, type JobRowRaw } from "@/lib/jobs/queue";
import type { JobJson } from "@/lib/jobs/json";
import type { JobStepView } from "@/lib/jobs";
import { OFFBOARD_KIND } from "./offboard";
import { PROVISION_KIND } from "./provision";
import type { TenantStatus } from "./states";

export interface WorkflowView {
  job: JobJson;
  steps: (Omit<JobStepView, "startedAt" | "finishedAt"> & { startedAt: string | null; finishedAt: string | null })[];
}

/** A workflow job with its steps, as the browser gets it. */
export async function workflowView(tx: TenantTx, job: JobRowRaw): Promise<WorkflowView> {
  const steps = await jobSteps(tx, job.tenant_id, job.id);
  return {
    job: jobJson(jobView(job)),
    steps: steps.map((s) => ({
      ...s,
      startedAt: s.startedAt ? new Date(s.startedAt).toISOString() : null,
      finishedAt: s.finishedAt ? new Date(s.finishedAt).toISOString() : null,
    })),
  };
}

/** The newest workflow of each lifecycle kind on the tenant. */
export async function latestWorkflows(tx: TenantTx, tenantId: string): Promise<WorkflowView[]> {
  const jobs = await tx.client.query<JobRowRaw>(
    `select distinct on (kind) * from public.jobs where tenant_id = $1 and kind = any($2::text[]) order by kind, created_at desc`,
    [tenantId, [PROVISION_KIND, OFFBOARD_KIND]],
  );
  const out: WorkflowView[] = [];
  for (const j of jobs.rows) out.push(await workflowView(tx, j));
  return out;
}

export interface LifecycleLive {
  status: TenantStatus;
  workflows: WorkflowView[];
}

export async function lifecycleLive(tx: TenantTx, slug: string): Promise<LifecycleLive | null> {
  const { rows } = await tx.client.query<{ id: string; status: TenantStatus }>(`select id, status from public.tenants where slug = $1`, [slug]);
  const t = rows[0];
  if (!t) return null;
  const workflows = await latestWorkflows(tx, t.id);
  return { status: t.status, workflows };
}
