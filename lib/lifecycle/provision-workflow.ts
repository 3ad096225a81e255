// The provisioning workflow: tenant row → data key → configuration (inherited
// from the parent) → first-admin invitation → isolation resources → ready. Each step is
// safe to run again (a worker killed at any point resumes at that step).
import { withLifecycle } from "./service-path";
import { PermanentJobError } from "@/lib/jobs";
import type { JobHandler } from "@/lib/jobs/types";
import { defineWorkflow, type StepContext, type WorkflowSpec } from "@/lib/jobs/workflow";
import { effectiveConfigAsService } from "@/lib/settings/resolve";
import { inviteFirstAdmin } from "@/lib/team/invite";
import { activeKeyVersion } from "@/lib/vault/keys";
import { applyIsolation } from "./isolation/apply";
import { isolationManifestsFor } from "./isolation-for";
import { findTenant, setStatus } from "./tenant-row";


async function provisioningTenant(ctx: StepContext) {
  const t = await withLifecycle((db) => findTenant(db, ctx.job.tenantId));
  if (!t) throw new PermanentJobError("The tenant being provisioned no longer exists.");
  if (t.status !== "provisioning" && t.status !== "active") {
    throw new PermanentJobError(`The tenant is ${t.status}; provisioning stopped. Resume it first, then retry.`);
  }
  return t;
}

export const PROVISION_STEPS = ["tenant-row", "data-key", "configuration", "invite-admin", "isolation", "ready"] as const;

/** The workflow's definition (tests wrap its steps to kill a worker at each one). */
export function provisionSpec(): WorkflowSpec {
  return {
    requires: "tenants:provision",
    // The tenant is "provisioning" (not active) until the last step.
    runsWhileFrozen: true,
    steps: [
      {
        name: "tenant-row",
        run: async (ctx) => {
          const t = await provisioningTenant(ctx);
          return { slug: t.slug, kind: t.kind, plan: t.plan };
        },
      },
      {
        // The row's insert trigger gives every tenant data key v1; this makes
        // sure one is active (a key destroyed meanwhile gets a new one).
        name: "data-key",
        run: async (ctx) =>
          withLifecycle(async (db) => {
            let version = await activeKeyVersion(db, ctx.job.tenantId);
            if (version === null) {
              const { rows } = await db.$client.query<{ v: number }>(`select keyring.create_tenant_key($1) as v`, [ctx.job.tenantId]);
              version = rows[0].v;
            }
            return { version };
          }),
      },
      {
        // Settings are inherited down the tree (lib/settings): a new tenant
        // has no rows of its own and takes every value (and every lock) from
        // its parent's chain, re-resolved on each read, so nothing is copied
        // here and a later change above reaches it too. No provisioning
        // template sets values today; if one did, it would write them here.
        // The step's output records what the tenant starts with, for the
        // workflow's timeline.
        name: "configuration",
        run: async (ctx) =>
          withLifecycle(async (db) => {
            const config = await effectiveConfigAsService(db, ctx.job.tenantId);
            return {
              copied: 0,
              requireMfa: config.value<boolean>("session.mfa_required"),
              inherited: config.settings.filter((s) => s.source === "inherited").length,
              locked: config.settings.filter((s) => s.lockedBy).length,
            };
          }),
      },
      {
        name: "invite-admin",
        run: async (ctx) =>
          withLifecycle(async (db) => {
            // The invitation and its email (lib/mail's outbox) commit together; the
            // token is made here and exists only in the email (payloads are readable
            // by the tenant's members, so they never carry it).
            const { adminEmail } = ctx.job.payload as { adminEmail?: string };
            if (!adminEmail) throw new PermanentJobError("The provisioning request has no first admin to invite.");
            const { invited } = await inviteFirstAdmin(db, { tenantId: ctx.job.tenantId, email: adminEmail, invitedBy: ctx.job.createdBy, jobId: ctx.job.id });
            if (!invited) return { invited: adminEmail, emailed: false };
            return { invited: adminEmail, emailed: true };
          }),
      },
      {
        name: "isolation",
        run: async (ctx) => {
          const t = await provisioningTenant(ctx);
          const applied = await applyIsolation(isolationManifestsFor(t));
          return applied.status === "applied"
            ? { status: "applied", server: applied.server, objects: applied.objects.length }
            : { status: "rendered", reason: applied.reason, objects: applied.objects.length };
        },
      },
      {
        name: "ready",
        run: async (ctx) =>
          withLifecycle(async (db) => {
            await setStatus(db, ctx.job.tenantId, { from: ["provisioning"], to: "active", by: ctx.job.createdBy });
            return {};
          }),
      },
    ],
    finish: (job, outputs) => ({
      result: { tenantId: job.tenantId, slug: outputs["tenant-row"].slug, isolation: outputs.isolation.status },
      audit: {
        action: "tenant.provisioned",
        targetType: "tenant",
        targetId: job.tenantId,
        details: { slug: outputs["tenant-row"].slug, plan: outputs["tenant-row"].plan, isolation: outputs.isolation.status },
      },
    }),
    auditFailure: (job, error) => ({ action: "tenant.provision-failed", targetType: "tenant", targetId: job.tenantId, details: { error: error.message } }),
  };
}

export function provisionHandler(): JobHandler {
  return defineWorkflow(provisionSpec());
}
