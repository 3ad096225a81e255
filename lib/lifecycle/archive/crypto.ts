// The archive's cryptography. The operator supplies a 32-byte transfer key
// (a file holding it in base64); from it and a random per-archive salt, HKDF
// derives independent keys for: the body, each DEK's own wrapping, each TOTP
// secret's, and a key-check value in the plaintext header (so a wrong key is
// reported as such, not as tampering).
//
// Body: gzip output cut into chunks of at most CHUNK_BYTES, each sealed with
// AES-256-GCM; nonce = the chunk's index, AAD = sha256(header line) || index
// || final flag. So a flipped byte fails its chunk, reordered chunks fail
// their index, a header edited after the fact fails every chunk, and an
// archive cut anywhere lacks its final chunk and is refused as truncated.
// Frame: u8 final flag || u32 ciphertext length || ciphertext || 16-byte tag.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { ArchiveError } from "./errors";

export const TRANSFER_KEY_BYTES = 32;
export const CHUNK_BYTES = 64 * 1024;
const TAG = 16;
const FRAME_HEAD = 5;
const MAX_HEADER_BYTES = 8192;
export const MAGIC = "MSSP-PORTAL-TENANT-ARCHIVE";

/** The transfer key from the text of its file: base64 (or base64url) of exactly 32 bytes. */
export function parseTransferKey(text: string): Buffer {
  const clean = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(clean)) throw new ArchiveError("bad-key", "the transfer key file must hold the key in base64");
  const key = Buffer.from(clean.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (key.length !== TRANSFER_KEY_BYTES) {
    throw new ArchiveError("bad-key", `the transfer key must be ${TRANSFER_KEY_BYTES} bytes; this one decodes to ${key.length}`);
  }
  return key;
}

export const newTransferKey = () => randomBytes(TRANSFER_KEY_BYTES).toString("base64");

export interface ArchiveKeys {
  body: Buffer;
  dek: Buffer;
  totp: Buffer;
  check: Buffer;
}

export function deriveKeys(transferKey: Buffer, salt: Buffer): ArchiveKeys {
  const derive = (label: string, n = 32) => Buffer.from(hkdfSync("sha256", transferKey, salt, `mssp-portal/archive/v1/${label}`, n));
  return { body: derive("body"), dek: derive("dek"), totp: derive("totp"), check: derive("key-check", 16) };
}

/** The plaintext header: everything needed to derive the keys, nothing secret. */
export interface ArchiveHeader {
  format: number;
  salt: string;
  keyCheck: string;
  chunkBytes: number;
  createdAt: string;
}

function nonceOf(index: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 4);
  return n;
}

function aadOf(headerHash: Buffer, index: number, final: boolean): Buffer {
  const a = Buffer.alloc(9);
  a.writeBigUInt64BE(BigInt(index), 0);
  a[8] = final ? 1 : 0;
  return Buffer.concat([headerHash, a]);
}

/** Writes the magic line and the header, then the body in sealed chunks. */
export class ArchiveEncryptor extends Transform {
  /** Keys for the secrets wrapped inside the body (DEKs, TOTP secrets). */
  readonly secrets: { dek: Buffer; totp: Buffer };
  private readonly key: Buffer;
  private readonly headerHash: Buffer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;

  constructor(transferKey: Buffer, createdAt = new Date()) {
    super();
    const salt = randomBytes(32);
    const keys = deriveKeys(transferKey, salt);
    const header: ArchiveHeader = {
      format: 1,
      salt: salt.toString("base64"),
      keyCheck: keys.check.toString("base64"),
      chunkBytes: CHUNK_BYTES,
      createdAt: createdAt.toISOString(),
    };
    const headerLine = Buffer.from(`${JSON.stringify(header)}\n`);
    this.key = keys.body;
    this.secrets = { dek: keys.dek, totp: keys.totp };
    this.headerHash = createHash("sha256").update(headerLine).digest();
    this.push(Buffer.concat([Buffer.from(`${MAGIC}\n`), headerLine]));
  }

  private seal(plain: Buffer, final: boolean) {
    const cipher = createCipheriv("aes-256-gcm", this.key, nonceOf(this.index), { authTagLength: TAG });
    cipher.setAAD(aadOf(this.headerHash, this.index, final));
    const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    const head = Buffer.alloc(FRAME_HEAD);
    head[0] = final ? 1 : 0;
    head.writeUInt32BE(body.length, 1);
    this.index++;
    this.push(Buffer.concat([head, body]));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Keep at least one byte back: only flush knows which chunk is final.
    if (this.pendingBytes > CHUNK_BYTES) {
      let all = Buffer.concat(this.pending);
      while (all.length > CHUNK_BYTES) {
        this.seal(all.subarray(0, CHUNK_BYTES), false);
        all = all.subarray(CHUNK_BYTES);
      }
      this.pending = [all];
      this.pendingBytes = all.length;
    }
    done();
  }

  override _flush(done: TransformCallback) {
    this.seal(Buffer.concat(this.pending), true);
    this.pending = [];
    done();
  }
}

/** Reads the header (refusing an unknown format or a wrong key), then opens each chunk in order. */
export class ArchiveDecryptor extends Transform {
  /** Resolves with the header once it has been read and the key checked; rejects with the reason otherwise. */
  readonly ready: Promise<ArchiveHeader>;
  private resolveReady!: (h: ArchiveHeader) => void;
  private rejectReady!: (e: Error) => void;
  private buffer: Buffer = Buffer.alloc(0);
  private header?: ArchiveHeader;
  /** Keys for the secrets wrapped inside the body; set once the header is read. */
  secrets?: { dek: Buffer; totp: Buffer };
  private headerHash?: Buffer;
  private key?: Buffer;
  private index = 0;
  private sawFinal = false;

  constructor(private readonly transferKey: Buffer) {
    super();
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {}); // also delivered as the stream's error
  }

  private fail(error: ArchiveError): ArchiveError {
    this.rejectReady(error);
    return error;
  }

  private readHeader(): boolean {
    const first = this.buffer.indexOf(10);
    const second = first < 0 ? -1 : this.buffer.indexOf(10, first + 1);
    if (second < 0) {
      if (this.buffer.length > MAX_HEADER_BYTES) throw this.fail(new ArchiveError("not-archive", "this file is not a tenant archive (no header)"));
      return false;
    }
    if (this.buffer.subarray(0, first).toString() !== MAGIC) throw this.fail(new ArchiveError("not-archive", "this file is not a tenant archive"));
    const line = this.buffer.subarray(first + 1, second + 1);
    let header: ArchiveHeader;
    try {
      header = JSON.parse(line.toString());
    } catch {
      throw this.fail(new ArchiveError("corrupt", "the archive's header is damaged"));
    }
    if (header.format !== 1) {
      throw this.fail(new ArchiveError("unknown-format", `unknown archive format version ${JSON.stringify(header.format)}: this portal reads version 1`));
    }
    if (header.chunkBytes !== CHUNK_BYTES) throw this.fail(new ArchiveError("corrupt", "the archive's header is damaged (chunk size)"));
    const keys = deriveKeys(this.transferKey, Buffer.from(String(header.salt), "base64"));
    const check = Buffer.from(String(header.keyCheck), "base64");
    if (check.length !== keys.check.length || !timingSafeEqual(check, keys.check)) {
      throw this.fail(new ArchiveError("wrong-key", "wrong transfer key: this archive was sealed with another one"));
    }
    this.header = header;
    this.headerHash = createHash("sha256").update(line).digest();
    this.key = keys.body;
    this.secrets = { dek: keys.dek, totp: keys.totp };
    this.buffer = this.buffer.subarray(second + 1);
    this.resolveReady(header);
    return true;
  }

  private openFrames() {
    while (this.buffer.length >= FRAME_HEAD) {
      if (this.sawFinal) throw this.fail(new ArchiveError("tampered", "the archive has data after its final chunk"));
      const flag = this.buffer[0];
      const length = this.buffer.readUInt32BE(1);
      if (flag > 1 || length < TAG || length > CHUNK_BYTES + TAG) {
        throw this.fail(new ArchiveError("tampered", `the archive is damaged at chunk ${this.index} (bad frame)`));
      }
      if (this.buffer.length < FRAME_HEAD + length) return;
      const body = this.buffer.subarray(FRAME_HEAD, FRAME_HEAD + length);
      const decipher = createDecipheriv("aes-256-gcm", this.key!, nonceOf(this.index), { authTagLength: TAG });
      decipher.setAAD(aadOf(this.headerHash!, this.index, flag === 1));
      decipher.setAuthTag(body.subarray(length - TAG));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(body.subarray(0, length - TAG)), decipher.final()]);
      } catch {
        throw this.fail(new ArchiveError("tampered", `the archive was altered or damaged: chunk ${this.index} failed its integrity check`));
      }
      this.index++;
      this.sawFinal = flag === 1;
      this.buffer = this.buffer.subarray(FRAME_HEAD + length);
      this.push(plain);
    }
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    try {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      if (!this.header && !this.readHeader()) return done();
      this.openFrames();
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback) {
    if (!this.header) return done(this.fail(new ArchiveError("truncated", "the archive is empty or cut short before its header")));
    if (!this.sawFinal || this.buffer.length > 0) {
      return done(this.fail(new ArchiveError("truncated", `the archive is truncated: it ends after chunk ${this.index - 1}, before its final chunk`)));
    }
    done();
  }
}
