// Errors of the vault. Their messages name what failed and which row, never a
// key or a secret, so they are safe to log and to show.

/** A sealed secret did not authenticate: moved to another row or tenant, tampered with, or labelled with the wrong key version. */
export class CredentialIntegrityError extends Error {
  override readonly name = "CredentialIntegrityError";
  constructor(readonly tenantId: string, readonly credentialId: string, readonly keyVersion: number) {
    super(
      `credential ${credentialId} failed its integrity check: the sealed secret does not belong to this tenant, ` +
        `row and key version ${keyVersion} (copied, tampered with or mislabelled); it was not opened`,
    );
  }
}

/**
 * The tenant key a secret needs is gone (rotated out, or destroyed by crypto-shredding) or missing.
 * `gone`: the keyring says so for good (that version was erased, or never existed); false when the
 * key could not be had this time (its wrapped form failed its integrity check, the key service failed).
 */
export class TenantKeyUnavailableError extends Error {
  override readonly name = "TenantKeyUnavailableError";
  constructor(readonly tenantId: string, readonly keyVersion: number | null, readonly reason: string, readonly gone = false) {
    super(`tenant key ${keyVersion === null ? "(active)" : `v${keyVersion}`} of tenant ${tenantId} is unavailable: ${reason}`);
  }
}

/**
 * A tenant key that could not be had this time: the key service (Vault, the MSSP's KEK behind
 * keyring.unwrap_dek) failed or is unavailable, or the wrapped key did not unwrap. Not a version the
 * keyring says is gone for good, nor a tenant without an active key (crypto-shredded: keyVersion
 * null). Nothing is known to be wrong with what the key sealed; trying again later may work.
 */
export function isKeyServiceFailure(error: unknown): error is TenantKeyUnavailableError {
  return error instanceof TenantKeyUnavailableError && !error.gone && error.keyVersion !== null;
}
