// Uploaded brand images: what a file IS is decided by its bytes (magic
// numbers and structure), never by its name or the browser's claimed type.
// PNG and JPEG are walked chunk by chunk / segment by segment: the size comes
// from the header, and anything after the end marker, or markup or an archive
// hidden in the file (a polyglot that a browser or another tool would read as
// HTML, script, PDF or ZIP), refuses it. SVG is rebuilt by the allowlist
// sanitiser (svg.ts). The checked bytes are what gets stored and served.
import { createHash } from "node:crypto";
import { looksLikeSvg, sanitizeSvg, svgSize, SvgRejected } from "./svg";

export const MAX_UPLOAD_BYTES = 512 * 1024;
export const MAX_SIDE = 4096;
export const MAX_PIXELS = 16_000_000;

export type BrandImageType = "image/png" | "image/jpeg" | "image/svg+xml";

export interface CheckedImage {
  contentType: BrandImageType;
  bytes: Buffer;
  width: number;
  height: number;
  sha256: string;
}

/** A refused upload: the message is for the person. */
export class ImageRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImageRejected";
  }
}

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Markup, script or archive signatures that make a raster file a polyglot. */
const POLYGLOT = [/<\s*(script|html|svg|body|iframe|object|embed|img|a\s|meta|!doctype|\?php|\?xml)/i, /javascript:/i, /PK\x03\x04/, /%PDF-/, /<%/];

function refusePolyglot(bytes: Buffer, kind: string): void {
  const text = bytes.toString("latin1");
  for (const re of POLYGLOT) {
    if (re.test(text)) throw new ImageRejected(`The ${kind} also contains markup, script or an archive (a polyglot file): re-export the image and upload it again.`);
  }
}

function checkSize(width: number, height: number, kind: string): void {
  if (!(width >= 1 && height >= 1)) throw new ImageRejected(`The ${kind} has no valid size in its header.`);
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
    throw new ImageRejected(`The ${kind} is ${width}×${height} pixels; at most ${MAX_SIDE}×${MAX_SIDE}.`);
  }
}

function checkPng(bytes: Buffer): { width: number; height: number } {
  let off = 8;
  let width = 0;
  let height = 0;
  let first = true;
  while (off + 12 <= bytes.length) {
    const len = bytes.readUInt32BE(off);
    const type = bytes.toString("latin1", off + 4, off + 8);
    if (len > bytes.length || off + 12 + len > bytes.length) throw new ImageRejected("The PNG is truncated or damaged.");
    if (first) {
      if (type !== "IHDR" || len !== 13) throw new ImageRejected("The PNG is damaged (no header chunk first).");
      width = bytes.readUInt32BE(off + 8);
      height = bytes.readUInt32BE(off + 12);
      first = false;
    }
    off += 12 + len;
    if (type === "IEND") {
      if (off !== bytes.length) throw new ImageRejected("The PNG has data after its end (a polyglot file?): re-export the image and upload it again.");
      return { width, height };
    }
  }
  throw new ImageRejected("The PNG is truncated or damaged (no end chunk).");
}

function checkJpeg(bytes: Buffer): { width: number; height: number } {
  let off = 2;
  let size: { width: number; height: number } | null = null;
  while (off + 4 <= bytes.length) {
    if (bytes[off] !== 0xff) throw new ImageRejected("The JPEG is damaged (bad segment marker).");
    const marker = bytes[off + 1];
    if (marker === 0xff) {
      off++;
      continue;
    }
    const len = bytes.readUInt16BE(off + 2);
    if (len < 2 || off + 2 + len > bytes.length) throw new ImageRejected("The JPEG is truncated or damaged.");
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC): height then width.
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      size = { height: bytes.readUInt16BE(off + 5), width: bytes.readUInt16BE(off + 7) };
    }
    if (marker === 0xda) {
      // Entropy-coded data to the end: it must end with EOI and nothing after it.
      if (bytes[bytes.length - 2] !== 0xff || bytes[bytes.length - 1] !== 0xd9) {
        throw new ImageRejected("The JPEG does not end where it should (data after its end marker: a polyglot file?).");
      }
      if (!size) throw new ImageRejected("The JPEG has no size header.");
      return size;
    }
    off += 2 + len;
  }
  throw new ImageRejected("The JPEG is truncated or damaged.");
}

/**
 * Checks an upload and returns what may be stored. `kind` says what it is for
 * (the favicon may be smaller). Throws ImageRejected with a clear message.
 */
export function checkBrandImage(input: Uint8Array): CheckedImage {
  const bytes = Buffer.from(input);
  if (bytes.length === 0) throw new ImageRejected("The file is empty.");
  if (bytes.length > MAX_UPLOAD_BYTES) {
    throw new ImageRejected(`The file is ${Math.ceil(bytes.length / 1024)} KiB; at most ${MAX_UPLOAD_BYTES / 1024} KiB.`);
  }
  let contentType: BrandImageType;
  let out: Buffer;
  let dims: { width: number; height: number };
  if (bytes.subarray(0, 8).equals(PNG_SIG)) {
    dims = checkPng(bytes);
    checkSize(dims.width, dims.height, "PNG");
    refusePolyglot(bytes, "PNG");
    contentType = "image/png";
    out = bytes;
  } else if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    dims = checkJpeg(bytes);
    checkSize(dims.width, dims.height, "JPEG");
    refusePolyglot(bytes, "JPEG");
    contentType = "image/jpeg";
    out = bytes;
  } else {
    const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
    if (!looksLikeSvg(text)) throw new ImageRejected("Not a PNG, JPEG or SVG image (judged by the file's content, not its name).");
    if (text.includes("\uFFFD")) throw new ImageRejected("The SVG is not valid UTF-8 text.");
    let clean: string;
    try {
      clean = sanitizeSvg(text);
    } catch (error) {
      if (error instanceof SvgRejected) throw new ImageRejected(error.message);
      throw new ImageRejected("The SVG could not be read as XML.");
    }
    dims = svgSize(clean);
    checkSize(dims.width, dims.height, "SVG");
    contentType = "image/svg+xml";
    out = Buffer.from(clean, "utf8");
  }
  return { contentType, bytes: out, ...dims, sha256: createHash("sha256").update(out).digest("hex") };
}

export const EXTENSION: Record<BrandImageType, string> = { "image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg" };
