// AES-256-GCM sealing of one secret under a tenant DEK.
//
// Layout: 0x01 (format) || 12-byte random nonce || ciphertext || 16-byte tag.
// The additional authenticated data binds the ciphertext to its tenant, its
// row and the key version it claims, so bytes copied to another row or tenant,
// or relabelled with another version, fail to authenticate instead of opening.
// A random 96-bit nonce per seal keeps us far below GCM's 2^32-messages-per-key
// bound: a rotation gives each tenant a fresh key long before that.
import { open, seal, MIN_SEALED_BYTES } from "@/lib/crypto/aead";
import { CredentialIntegrityError } from "./errors";

const FORMAT = 0x01;

export interface SealContext {
  tenantId: string;
  credentialId: string;
  keyVersion: number;
}

function additionalData(ctx: SealContext): string {
  return `mssp-portal/credential/v1|${ctx.tenantId}|${ctx.credentialId}|${ctx.keyVersion}`;
}

export function sealSecret(dek: Buffer, ctx: SealContext, plaintext: string): Buffer {
  if (dek.length !== 32) throw new Error("sealSecret: a DEK is 32 bytes");
  return Buffer.concat([Buffer.of(FORMAT), seal(dek, additionalData(ctx), plaintext)]);
}

export function openSecret(dek: Buffer, ctx: SealContext, sealed: Buffer): string {
  if (sealed.length < 1 + MIN_SEALED_BYTES || sealed[0] !== FORMAT || dek.length !== 32) {
    throw new CredentialIntegrityError(ctx.tenantId, ctx.credentialId, ctx.keyVersion);
  }
  try {
    return open(dek, additionalData(ctx), sealed.subarray(1)).toString("utf8");
  } catch {
    // The error names the row, which the generic one cannot.
    throw new CredentialIntegrityError(ctx.tenantId, ctx.credentialId, ctx.keyVersion);
  }
}
