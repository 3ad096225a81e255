// Applying a tenant's isolation set again after the tree changed under it: a
// move (its MSSP labels, mssp-portal/mssp-id and mssp-slug, follow) and a
// restore (its namespace is made, or put back as the archive says). Provisioning
// applies the set once (provision-workflow.ts, step "isolation"); nothing else
// did, so a moved tenant's namespace kept its old MSSP's labels and a restored
// tenant got no namespace.
//
//   queueIsolationReapply(db, rootId)   in the move's or restore's transaction:
//                                       one job per tenant of the subtree, so
//                                       the jobs exist exactly when the change
//                                       committed. Only when a cluster is
//                                       configured (KUBECONFIG): without one
//                                       nothing is queued or contacted, and the
//                                       tenant page's download renders the set
//                                       from the tree as it is now.
//   isolationReapplyHandler()           the job: reads the tenant as it is when
//                                       it runs and server-side applies its set
//                                       (apply.ts: the namespace ownership
//                                       check, then one forced PATCH per
//                                       object, so labels that changed are
//                                       replaced).
//
// One job per tenant, on the tenant's own queue (one running job per tenant),
// so two re-applies of one tenant never race. A second change while a job is
// queued joins it (it reads the tree when it runs); one that commits while it
// runs is caught by workLeft, which queues it again if what it applied is not
// what the tree now says. A tenant being offboarded (or below one) is left
// alone: its workflow deletes the namespace, and this must not make it again.
import { createHash } from "node:crypto";
import type { Db } from "@/lib/db/with-tenant";
import { enqueueServiceJobIn } from "@/lib/jobs";
import type { ClaimedJob, JobHandler } from "@/lib/jobs/types";
import { applyIsolation, isolationTarget } from "./isolation/apply";
import { isolationManifestsFor } from "./isolation-for";
import { withLifecycle } from "./service-path";
import type { TenantStatus } from "./states";
import { findTenant, offboardingAtOrAbove, type LifecycleTenant } from "./tenant-row";

export const ISOLATION_REAPPLY_KIND = "lifecycle.isolation-reapply";

/** Statuses whose namespace exists (or is being made by provisioning) and follows the tree. */
const APPLIES_TO: readonly TenantStatus[] = ["active", "suspended", "provisioning"];

/**
 * Queues a re-apply for `rootId` and every tenant below it (MSSPs have no namespace of their own),
 * in the caller's transaction. Returns how many were queued (0 without a cluster).
 */
export async function queueIsolationReapply(db: Db, rootId: string): Promise<number> {
  if (isolationTarget() !== "cluster") return 0;
  const { rows } = await db.$client.query<{ id: string }>(
    `select d.id from public.tenants r
       join public.tenants d on d.path operator(extensions.<@) r.path
      where r.id = $1 and d.kind <> 'mssp'
      order by d.path`,
    [rootId],
  );
  for (const { id } of rows) await enqueueServiceJobIn(db, { tenantId: id, kind: ISOLATION_REAPPLY_KIND });
  return rows.length;
}

type Wanted = { apply: true; tenant: LifecycleTenant } | { apply: false; reason: string };

async function wanted(db: Db, tenantId: string): Promise<Wanted> {
  const t = await findTenant(db, tenantId);
  if (!t) return { apply: false, reason: "the tenant no longer exists" };
  const closing = await offboardingAtOrAbove(db, t.id);
  if (closing) return { apply: false, reason: closing.id === t.id ? `the tenant is ${t.status}` : `${closing.slug} above it is ${closing.status}` };
  if (!APPLIES_TO.includes(t.status)) return { apply: false, reason: `the tenant is ${t.status}` };
  return { apply: true, tenant: t };
}

/** What the set is rendered from, hashed: equal fingerprints render equal sets. */
function fingerprint(w: Wanted): string {
  const what = w.apply ? [w.tenant.slug, w.tenant.name, w.tenant.kind, w.tenant.rootId, w.tenant.rootSlug, w.tenant.plan] : ["skip"];
  return createHash("sha256").update(JSON.stringify(what)).digest("hex").slice(0, 32);
}

export function isolationReapplyHandler(): JobHandler {
  return {
    // Queued only by the system, after a move or restore committed; a row a user inserted does not run.
    requires: "system-only",
    // A suspended tenant's namespace keeps existing and follows the tree too.
    runsWhileFrozen: true,
    async run(ctx) {
      const w = await withLifecycle((db) => wanted(db, ctx.job.tenantId));
      const fp = fingerprint(w);
      if (!w.apply) return { result: { status: "skipped", reason: w.reason, fingerprint: fp } };
      const applied = await applyIsolation(isolationManifestsFor(w.tenant));
      if (applied.status === "rendered") return { result: { status: "rendered", reason: applied.reason, objects: applied.objects.length, fingerprint: fp } };
      return {
        result: { status: "applied", server: applied.server, objects: applied.objects.length, fingerprint: fp },
        audit: {
          action: "tenant.isolation-reapplied",
          targetType: "tenant",
          targetId: w.tenant.id,
          details: { slug: w.tenant.slug, mssp: w.tenant.rootSlug, plan: w.tenant.plan, server: applied.server, objects: applied.objects.length },
        },
      };
    },
    /** Asked as the job completes, after every change that joined it committed: does the tree still say what was applied? */
    async workLeft(db: Db, job: ClaimedJob) {
      const { rows } = await db.$client.query<{ fingerprint: string | null }>(
        `select result->>'fingerprint' as fingerprint from public.jobs where tenant_id = $1 and id = $2`,
        [job.tenantId, job.id],
      );
      return rows[0]?.fingerprint !== fingerprint(await wanted(db, job.tenantId));
    },
    auditFailure: (job, error) => ({ action: "tenant.isolation-reapply-failed", targetType: "tenant", targetId: job.tenantId, details: { error: error.message } }),
  };
}
