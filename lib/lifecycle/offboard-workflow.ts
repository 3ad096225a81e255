// The offboarding workflow, run when the grace period ends: freeze → export
// archive → crypto-shred every data key version → purge (first the copies of
// the subtree's data held under other tenants' ids: deliveries about its
// alerts and health, with their mails, and ancestors' reports; then every
// tenant-scoped row of the subtree, found from the catalog, so a table added
// later is covered; then the copies again, for what was made from the subtree
// meanwhile) → remove the isolation resources → tombstone. Each step is
// safe to run again; a worker killed mid-purge leaves some rows deleted and
// the rest for the next worker. Other tenants' rows are touched only where
// they hold the subtree's data (offboard-copies.ts); every other statement
// names the subtree's ids.
import { withLifecycle } from "./service-path";
import { PermanentJobError } from "@/lib/jobs";
import type { JobHandler } from "@/lib/jobs/types";
import { defineWorkflow, type StepContext, type WorkflowSpec } from "@/lib/jobs/workflow";
import { destroyTenantKeys } from "@/lib/vault/keys";
import { countTenantRows, deleteTenantRows, loadTenantCatalog, OFFBOARD_KEPT_ROWS } from "./catalog";
import { removeIsolation } from "./isolation/apply";
import { countCopies, removeCopiesBatch } from "./offboard-copies";
import { exportForOffboarding } from "./offboard-export";
import { heldAmong } from "./offboard";
import { OFFBOARDED } from "./status-note";
import { findTenant, setStatus, subtree } from "./tenant-row";
import { settings } from "@/lib/config";
import { endPlansAtOffboarding } from "@/lib/billing/offboarded";


/** Rows deleted per transaction: short transactions keep other tenants' pages fast during a large purge (at 5,000 the bench saw another tenant's alert page p95 reach 1.5-1.7x; at 1,000, 1.1x). */
export const PURGE_BATCH = settings().LIFECYCLE_PURGE_BATCH;
// Finalized invoices and their lines stay (OFFBOARD_KEPT_ROWS, catalog.ts): billing law keeps them.
// So do the usage, plan assignments and drafts of each month still to be invoiced (the plans ended
// first with the month the purge runs in), until the monthly billing job invoices them
// (lib/billing/offboarded.ts).
// Emptied by hand after the batches: the offboarding job's own row and steps
// are its record, kept with the tombstone like the audit trail (every other
// job of the subtree goes). Key rows go with the batches (deleteTenantRows
// removes them through keyring.purge_tenant_keys, after the crypto-shred).
const KEEP_WHILE_PURGING = ["public.jobs", "public.job_steps"];

function subtreeIds(ctx: StepContext): string[] {
  const ids = ctx.outputs.freeze?.tenantIds;
  if (!Array.isArray(ids) || ids.length === 0) throw new PermanentJobError("The offboarding lost track of its tenants.");
  return ids as string[];
}

export const OFFBOARD_STEPS = ["freeze", "export", "crypto-shred", "purge", "isolation", "tombstone"] as const;

/** The workflow's definition (tests wrap its steps to kill a worker at each one). */
export function offboardSpec(): WorkflowSpec {
  return {
    requires: "tenants:deprovision",
    runsWhileFrozen: true,
    steps: [
      {
        name: "freeze",
        run: async (ctx) =>
          withLifecycle(async (db) => {
            const t = await findTenant(db, ctx.job.tenantId);
            if (!t) throw new PermanentJobError("The tenant no longer exists.");
            if (t.status !== "deprovisioning") throw new PermanentJobError(`The offboarding was called off (the tenant is ${t.status}); nothing was removed.`);
            // The portal queues the job due at deprovision_after (offboard.ts). One due earlier was written
            // some other way (a row parked through SQL before 20261201030800, which an offboarding joined):
            // running it would export, crypto-shred and purge before the grace period announced had ended.
            // The database's clock decides, as it decided when the job was due.
            const { rows: [grace] } = await db.$client.query<{ early: boolean }>("select $1::timestamptz > now() as early", [t.deprovisionAfter]);
            if (grace?.early) {
              throw new PermanentJobError(
                `The grace period ends ${t.deprovisionAfter!.toISOString()}, and this job was due before it (it was not queued by the portal). Nothing was removed: call the offboarding off, or start it again.`,
              );
            }
            const below = await subtree(db, t);
            // A legal hold placed behind the portal's back (the settings page refuses one during an offboarding).
            const held = await heldAmong(db, below);
            if (held) throw new PermanentJobError(`${held} is on legal hold: nothing was removed. Lift the hold, or keep the tenant.`);
            return { slug: t.slug, name: t.name, tenantIds: below.map((x) => x.id), slugs: below.map((x) => x.slug) };
          }),
      },
      {
        name: "export",
        run: async (ctx) => exportForOffboarding(String(ctx.outputs.freeze.slug), ctx.job.id),
      },
      {
        name: "crypto-shred",
        run: async (ctx) => {
          let destroyed = 0;
          for (const id of subtreeIds(ctx)) destroyed += await destroyTenantKeys(id);
          return { keyVersionsDestroyed: destroyed };
        },
      },
      {
        name: "purge",
        run: async (ctx) => {
          const ids = subtreeIds(ctx);
          const subtree = { rootId: ctx.job.tenantId, rootName: String(ctx.outputs.freeze.name), ids };
          await withLifecycle(async (db) => endPlansAtOffboarding(db.$client, ids));
          const [counts, copies] = await withLifecycle(async (db) => [await countTenantRows(db.$client, ids, undefined, OFFBOARD_KEPT_ROWS), await countCopies(db.$client, subtree)] as const);
          const total =
            copies +
            Object.entries(counts)
              .filter(([table]) => !["public.audit_log", "public.tenants", ...KEEP_WHILE_PURGING].includes(table))
              .reduce((sum, [, n]) => sum + n, 0);
          let done = 0;
          await ctx.stepProgress(0, total);
          // Other tenants' copies (offboard-copies.ts): each batch deletes deliveries with their mails in one transaction.
          const removed = { deliveries: 0, mails: 0, reports: 0 };
          const removeCopies = async () => {
            for (;;) {
              const b = await withLifecycle(async (db) => removeCopiesBatch(db.$client, subtree, PURGE_BATCH));
              if (b.deliveries + b.reports === 0) break;
              removed.deliveries += b.deliveries;
              removed.mails += b.mails;
              removed.reports += b.reports;
              done += b.deliveries + b.reports;
              await ctx.stepProgress(Math.min(done, total), total);
              ctx.jobCtx.signal.throwIfAborted?.();
            }
          };
          // First, so they go even if the subtree's own rows take long; again after those, for what an
          // ancestor made from them meanwhile (a report generated while they were being deleted).
          await removeCopies();
          for (;;) {
            const n = await withLifecycle(async (db) =>
              deleteTenantRows(db.$client, ids, { batchSize: PURGE_BATCH, keep: KEEP_WHILE_PURGING, keepRows: OFFBOARD_KEPT_ROWS, catalog: await loadTenantCatalog(db.$client) }),
            );
            if (n === 0) break;
            done += n;
            await ctx.stepProgress(Math.min(done, total), total);
            ctx.jobCtx.signal.throwIfAborted?.();
          }
          await removeCopies();
          const jobs = await withLifecycle(async (db) => {
            await db.$client.query(`delete from public.job_steps where tenant_id = any($1::uuid[]) and job_id <> $2`, [ids, ctx.job.id]);
            const r = await db.$client.query(`delete from public.jobs where tenant_id = any($1::uuid[]) and id <> $2`, [ids, ctx.job.id]);
            return r.rowCount ?? 0;
          });
          return { rowsDeleted: done - removed.reports + removed.mails + jobs, copiesRemoved: removed, done: total, total };
        },
      },
      {
        name: "isolation",
        run: async (ctx) => {
          const slugs = ctx.outputs.freeze.slugs as string[];
          const results = [];
          for (const [i, tenantId] of subtreeIds(ctx).entries()) results.push((await removeIsolation({ tenantId, slug: slugs[i] })).status);
          return { removed: results.filter((s) => s === "deleted").length, status: results.includes("nothing-to-remove") ? "no cluster configured" : "removed" };
        },
      },
      {
        name: "tombstone",
        run: async (ctx) =>
          withLifecycle(async (db) => {
            for (const id of subtreeIds(ctx)) {
              await setStatus(db, id, { from: ["active", "suspended", "deprovisioning", "provisioning"], to: "deprovisioned", by: ctx.job.createdBy, reason: OFFBOARDED });
            }
            return {};
          }),
      },
    ],
    finish: (job, outputs) => ({
      result: {
        tenants: (outputs.freeze.tenantIds as string[]).length,
        rowsDeleted: outputs.purge.rowsDeleted,
        keyVersionsDestroyed: outputs["crypto-shred"].keyVersionsDestroyed,
        archive: outputs.export.file ?? null,
      },
      audit: {
        action: "tenant.offboarded",
        targetType: "tenant",
        targetId: job.tenantId,
        details: {
          slug: outputs.freeze.slug,
          tenants: (outputs.freeze.tenantIds as string[]).length,
          rows_deleted: outputs.purge.rowsDeleted,
          key_versions_destroyed: outputs["crypto-shred"].keyVersionsDestroyed,
          archive_sha256: outputs.export.sha256 ?? null,
          // Deliveries and mails about the subtree held by other tenants, and ancestors' reports withdrawn (offboard-copies.ts).
          copies_removed: outputs.purge.copiesRemoved ?? null,
        },
      },
    }),
    auditFailure: (job, error) => ({ action: "tenant.offboard-failed", targetType: "tenant", targetId: job.tenantId, details: { error: error.message } }),
  };
}

export function offboardHandler(): JobHandler {
  return defineWorkflow(offboardSpec());
}
