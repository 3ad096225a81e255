// Refusals about credentials, as messages a person can act on. None of them
// ever contains a secret (they are built from names and SQLSTATEs only).
// tenantAction (lib/actions/guard.ts) shows an ActionRefusal's message and
// audits it as a refusal by rule.
import type { ConnectorKind } from "@/drizzle/credentials";
import { ActionRefusal } from "@/lib/actions/refusal";
import { sqlState } from "@/lib/db/sql-state";
import { CredentialIntegrityError, isKeyServiceFailure, TenantKeyUnavailableError } from "@/lib/vault/errors";

export class CredentialError extends ActionRefusal {
  constructor(message: string) {
    super(message);
    this.name = "CredentialError";
  }
}

/**
 * Opening a credential failed: the use path's refusal. `reason`: "integrity" (its sealed secret does
 * not belong to this row) and "key_gone" (the key version it was sealed with was erased or destroyed)
 * are for good, replace the secret; "key_service" (the key service that unwraps the tenant's key is
 * failing or unavailable) says nothing about the credential, and trying again later may work.
 */
export class CredentialUnusableError extends CredentialError {
  constructor(
    message: string,
    readonly reason: "integrity" | "key_gone" | "key_service",
    /** Which credential, when the row was read (for audit details). */
    readonly subject?: { connector: ConnectorKind; name: string },
  ) {
    super(message);
    this.name = "CredentialUnusableError";
  }
}

export function isSerializationFailure(error: unknown): boolean {
  return sqlState(error) === "40001";
}

/** The refusal a database or vault error means, or null for a bug (log it, show the generic message). */
export function credentialErrorFrom(error: unknown, context: { name?: string } = {}): CredentialError | null {
  if (error instanceof CredentialError) return error;
  if (error instanceof CredentialIntegrityError) {
    return new CredentialUnusableError("This credential failed its integrity check and was not opened. Replace its secret.", "integrity");
  }
  if (error instanceof TenantKeyUnavailableError) {
    if (isKeyServiceFailure(error)) {
      return new CredentialError("The key service that unlocks this tenant's encryption key is unavailable or failing just now; nothing was saved. Try again in a few minutes.");
    }
    return new CredentialError("This tenant's encryption key is not available (it may have been rotated out or destroyed); nothing was saved.");
  }
  const code = sqlState(error);
  const constraint = (error as { constraint?: string; cause?: { constraint?: string } })?.constraint ?? (error as { cause?: { constraint?: string } })?.cause?.constraint;
  if (code === "23505") {
    return new CredentialError(
      context.name ? `A credential named "${context.name}" already exists in this tenant. Pick another name.` : "A credential with that name already exists in this tenant.",
    );
  }
  // The database's own checks of the tenant's configuration (migration 20261201030900), for a
  // setting changed between store.ts's check and the insert.
  const hint = (error as { hint?: string; cause?: { hint?: string } })?.hint ?? (error as { cause?: { hint?: string } })?.cause?.hint;
  if (hint === "integration_disabled") return new CredentialError("This connector is disabled by configuration: no credential of this kind can be added. Ask your MSSP to enable it.");
  if (hint === "connector_limit") return new CredentialError("This tenant holds as many connector credentials as its configured limit allows; delete one first or ask your MSSP to raise the limit.");
  if (code === "42501") return new CredentialError("You can't manage credentials in this tenant.");
  if (code === "23514" && constraint === "credentials_name_check") return new CredentialError("A name is 1 to 80 characters.");
  if (code === "40001") return new CredentialError("The tenant's key was rotated while this was being saved. Try again; nothing was changed.");
  return null;
}
