// Audit rows about jobs, written by the worker (service role) in the
// transaction that finishes the job. No actor: the system did it; who queued
// the job is in the details.
import { scrubDetails } from "@/lib/audit/record";
import type { Db } from "@/lib/db/with-tenant";
import type { ClaimedJob, JobAudit } from "./types";

export async function recordJobAudit(
  db: Db,
  job: Pick<ClaimedJob, "tenantId" | "id" | "kind" | "createdBy" | "attempts">,
  audit: JobAudit,
): Promise<void> {
  const details = scrubDetails({ ...(audit.details ?? {}), job_id: job.id, job_kind: job.kind, queued_by: job.createdBy, attempt: job.attempts });
  await db.$client.query(
    `insert into public.audit_log (tenant_id, actor_id, action, target_type, target_id, outcome, details)
     values ($1, null, $2, $3, $4, $5, $6::jsonb)`,
    [job.tenantId, audit.action, audit.targetType ?? "job", audit.targetId ?? job.id, audit.outcome ?? "success", JSON.stringify(details)],
  );
}
