// Rotating many tenants' data keys: each tenant gets the existing rotation
// job (lib/vault/rotation.ts, "vault.rotate-dek", docs/keys-runbook.md) queued
// in the item's transaction as the person the run acts as; the tenant's
// own job re-seals its credentials in the background and retires the old
// version. Not undoable: the old version is erased once nothing uses it.
import { enqueueJob } from "@/lib/jobs";
import { ROTATE_DEK_KIND } from "@/lib/vault/rotation";
import { keyStatusOf } from "@/lib/vault/rotation-status";
import type { OperationParams } from "../model";
import type { OperationImpl, PlanLine } from "./types";

type P = Extract<OperationParams, { operation: "rotate_keys" }>;

export const rotateKeysOperation: OperationImpl<P> = {
  actions: () => ["keys:rotate"],
  validate: async () => "Rotate each tenant's data key (a new version; credentials re-sealed by a job; not undoable)",

  async plan(tx, targets) {
    const status = await keyStatusOf(targets.map((t) => t.id));
    const { rows } = await tx.client.query<{ tenant_id: string }>(
      "select tenant_id from public.jobs where tenant_id = any ($1::uuid[]) and kind = $2 and status in ('queued', 'running')",
      [targets.map((t) => t.id), ROTATE_DEK_KIND],
    );
    const busy = new Set(rows.map((r) => r.tenant_id));
    return targets.map((t): PlanLine => {
      const versions = status.get(t.id) ?? [];
      const active = versions.find((v) => v.status === "active");
      if (!active) return { planned: "No data key (never provisioned, or destroyed): skipped.", skip: true };
      if (busy.has(t.id)) return { planned: "A rotation is already under way: skipped.", skip: true };
      return { planned: `Would rotate key v${active.version} → v${active.version + 1}`, skip: false };
    });
  },

  async apply(tx, target) {
    const { job, created } = await enqueueJob(tx, { tenantId: target.id, kind: ROTATE_DEK_KIND });
    if (!created) return { status: "skipped", message: "A rotation was already under way." };
    return { status: "done", after: { job_id: job.id }, message: "Rotation queued: its job re-seals the credentials under the new key.", details: { job_id: job.id } };
  },
};
