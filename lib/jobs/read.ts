// Jobs as pages and route handlers read them: inside the caller's withTenant
// transaction, so RLS decides which exist ("visible to members of the tenant
// or an ancestor"). No tenant filter here is needed for safety; the optional
// ones only narrow what the page asked for.
import { z } from "zod";
import type { TenantTx } from "@/lib/db/with-tenant";
import { jobView, type JobRowRaw } from "./queue";
import type { JobStatus, JobView } from "./types";

const uuid = z.string().uuid();

export interface ListJobsOptions {
  tenantIds?: readonly string[];
  kinds?: readonly string[];
  statuses?: readonly JobStatus[];
  /** At most 200; default 20. */
  limit?: number;
}

/** The caller's visible jobs, newest first. */
export async function listJobs(tx: TenantTx, opts: ListJobsOptions = {}): Promise<JobView[]> {
  const limit = Math.min(200, Math.max(1, Math.floor(opts.limit ?? 20)));
  const tenantIds = opts.tenantIds?.filter((id) => uuid.safeParse(id).success);
  const { rows } = await tx.client.query<JobRowRaw>(
    `select * from public.jobs
      where ($1::uuid[] is null or tenant_id = any($1::uuid[]))
        and ($2::text[] is null or kind = any($2::text[]))
        and ($3::text[] is null or status = any($3::text[]))
      order by created_at desc, id
      limit $4`,
    [tenantIds ?? null, opts.kinds ?? null, opts.statuses ?? null, limit],
  );
  return rows.map(jobView);
}

/** One job, or null if it does not exist or the caller cannot see it (the same answer, on purpose). */
export async function getJob(tx: TenantTx, tenantId: string, id: string): Promise<JobView | null> {
  if (!uuid.safeParse(tenantId).success || !uuid.safeParse(id).success) return null;
  const { rows } = await tx.client.query<JobRowRaw>(`select * from public.jobs where tenant_id = $1 and id = $2`, [tenantId, id]);
  return rows[0] ? jobView(rows[0]) : null;
}

/**
 * The newest job of each (tenant, kind) among `kinds` (and `statuses`): "last
 * rotation" columns. `tenantIds` narrows it to the tenants a page shows.
 */
export async function latestJobs(
  tx: TenantTx,
  kinds: readonly string[],
  statuses?: readonly JobStatus[],
  tenantIds?: readonly string[],
): Promise<JobView[]> {
  const ids = tenantIds?.filter((id) => uuid.safeParse(id).success);
  if (ids && ids.length === 0) return [];
  const { rows } = await tx.client.query<JobRowRaw>(
    `select distinct on (tenant_id, kind) * from public.jobs
      where kind = any($1::text[]) and ($2::text[] is null or status = any($2::text[]))
        and ($3::uuid[] is null or tenant_id = any($3::uuid[]))
      order by tenant_id, kind, created_at desc`,
    [kinds, statuses ?? null, ids ?? null],
  );
  return rows.map(jobView);
}

export interface JobStepView {
  position: number;
  name: string;
  status: "pending" | "running" | "succeeded" | "failed" | "skipped";
  attempts: number;
  lastError: string | null;
  output: Record<string, unknown>;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** A workflow job's steps in order (empty for a plain job), under RLS. */
export async function jobSteps(tx: TenantTx, tenantId: string, jobId: string): Promise<JobStepView[]> {
  if (!uuid.safeParse(tenantId).success || !uuid.safeParse(jobId).success) return [];
  const { rows } = await tx.client.query<JobStepView>(
    `select position, name, status, attempts, last_error as "lastError", output,
            started_at as "startedAt", finished_at as "finishedAt"
       from public.job_steps where tenant_id = $1 and job_id = $2 order by position`,
    [tenantId, jobId],
  );
  return rows;
}
