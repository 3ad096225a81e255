"use server";
// Rotate one tenant's data-encryption key: queues a "vault.rotate-dek" job
// (lib/vault/rotation.ts) after the PDP allows keys:rotate on that tenant.
// The job re-seals the tenant's credentials in the background; the audit row
// here records who asked, the worker's records how it ended.
import { ROTATE_DEK_KIND } from "@/lib/vault/rotation";
import { tenantAction } from "../guard";
import { queueRotation } from "./queue-rotation";
import { rotateKeySchema } from "./schemas";

export const rotateTenantKey = tenantAction(
  { action: "keys:rotate", audit: "keys.dek-rotation-queued", schema: rotateKeySchema },
  ({ tx, tenant }) =>
    queueRotation(
      tx,
      { tenantId: tenant.id, kind: ROTATE_DEK_KIND },
      { started: "Key rotation started.", alreadyQueued: "A key rotation for this tenant is already under way; showing its progress." },
    ),
);
