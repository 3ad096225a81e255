// AES-256-GCM sealing of one secret under a tenant DEK.
//
// Layout: 0x01 (format) || 12-byte random nonce || ciphertext || 16-byte tag.
// The additional authenticated data binds the ciphertext to its tenant, its
// row and the key version it claims, so bytes copied to another row or tenant,
// or relabelled with another version, fail to authenticate instead of opening.
// A random 96-bit nonce per seal keeps us far below GCM's 2^32-messages-per-key
// bound: a rotation gives each tenant a fresh key long before that.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { CredentialIntegrityError } from "./errors";

const FORMAT = 0x01;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface SealContext {
  tenantId: string;
  credentialId: string;
  keyVersion: number;
}

function additionalData(ctx: SealContext): Buffer {
  return Buffer.from(`mssp-portal/credential/v1|${ctx.tenantId}|${ctx.credentialId}|${ctx.keyVersion}`, "utf8");
}

export function sealSecret(dek: Buffer, ctx: SealContext, plaintext: string): Buffer {
  if (dek.length !== 32) throw new Error("sealSecret: a DEK is 32 bytes");
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", dek, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(ctx));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT), nonce, body, cipher.getAuthTag()]);
}

export function openSecret(dek: Buffer, ctx: SealContext, sealed: Buffer): string {
  if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES + 1 || sealed[0] !== FORMAT || dek.length !== 32) {
    throw new CredentialIntegrityError(ctx.tenantId, ctx.credentialId, ctx.keyVersion);
  }
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", dek, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData(ctx));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    // Node's message ("Unsupported state or unable to authenticate data") says
    // nothing useful; ours names the row.
    throw new CredentialIntegrityError(ctx.tenantId, ctx.credentialId, ctx.keyVersion);
  }
}
