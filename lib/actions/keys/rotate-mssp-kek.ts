"use server";
// Rotate an MSSP's key-encryption key: queues a "vault.rotate-kek" job on the
// MSSP root after the PDP allows keys:rotate there. Every tenant DEK under the
// MSSP is re-wrapped by the new KEK in one transaction; the old KEK's Vault
// secret is overwritten.
import { AuthorizationError } from "@/lib/authz";
import { ROTATE_KEK_KIND } from "@/lib/vault/rotation";
import { tenantAction } from "../guard";
import { queueRotation } from "./queue-rotation";
import { rotateKeySchema } from "./schemas";

export const rotateMsspKek = tenantAction(
  { action: "keys:rotate", audit: "keys.kek-rotation-queued", schema: rotateKeySchema },
  async ({ tx, input, tenant }) => {
    // KEKs belong to MSSPs (root tenants); keys:rotate on a customer means its DEK.
    if (tenant.kind !== "mssp" || tenant.path.includes(".")) throw new AuthorizationError("keys:rotate", input.tenantId);
    return queueRotation(
      tx,
      { tenantId: tenant.id, kind: ROTATE_KEK_KIND, maxAttempts: 3 },
      { started: "Key-encryption key rotation started.", alreadyQueued: "A key-encryption key rotation is already under way; showing its progress." },
    );
  },
);
