// Uploaded brand images: what a file IS is decided by its bytes (magic
// numbers and structure), never by its name or the browser's claimed type.
// PNG and JPEG are walked chunk by chunk / segment by segment: the size comes
// from the header, and anything after the end marker refuses the file. Markup
// or an archive hidden in what is not pixel data (a polyglot that a browser or
// another tool would read as HTML, script, PDF or ZIP) refuses it too: PNG
// ancillary chunks (text, eXIf, iCCP, private chunks), JPEG APPn/COM and every
// other segment. The pixel data itself (PNG IDAT/fdAT, the colour tables PLTE
// and tRNS, JPEG entropy-coded data) is compressed, random-looking bytes in
// which a two-byte pattern such as "<%" turns up by chance in most files of
// 100 KiB: it is not scanned (the asset route serves with nosniff, the type
// decided here and a sandbox CSP, docs/white-label.md). SVG is rebuilt by the
// allowlist sanitiser (svg.ts). The checked bytes are what gets stored and served.
import { createHash } from "node:crypto";
import { inflateSync } from "node:zlib";
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

/**
 * Markup, script or archive signatures that make a raster file a polyglot. The strong ones are long
 * enough (4+ specific bytes) that binary metadata (an ICC profile, an EXIF thumbnail) matches them by
 * chance about once in 200 MiB; the weak ones ("<%", "<a ") turn up by chance in a few KiB of
 * binary data, so they are looked for only in text: PNG text chunks (inflated where compressed) and
 * JPEG comments.
 */
const STRONG = [/<\s*(script|html|svg|body|iframe|object|embed|img|meta|!doctype|\?php|\?xml)/i, /javascript:/i, /PK\x03\x04/, /%PDF-/];
const WEAK = [/<\s*a\s/i, /<%/];

function refusePolyglot(bytes: Buffer, kind: string, text: boolean): void {
  const latin1 = bytes.toString("latin1");
  for (const re of text ? [...STRONG, ...WEAK] : STRONG) {
    if (re.test(latin1)) throw new ImageRejected(`The ${kind} also contains markup, script or an archive (a polyglot file): re-export the image and upload it again.`);
  }
}

/** PNG chunks of pixel data or colour tables: compressed or arbitrary bytes, not scanned. */
const PNG_PIXEL_CHUNKS = new Set(["IDAT", "fdAT", "PLTE", "tRNS"]);
/** The critical chunks a PNG may have; an unknown critical chunk makes it undecodable. */
const PNG_CRITICAL = new Set(["IHDR", "PLTE", "IDAT", "IEND"]);
/** Inflated text of a compressed PNG text chunk is looked at up to this many bytes. */
const MAX_INFLATED_TEXT = 1024 * 1024;
/**
 * And all the compressed text chunks of one file up to this many inflated bytes in all: 512 KiB of
 * small chunks, each inflating a kilobyte to a megabyte, would otherwise cost hundreds of MiB.
 */
export const MAX_INFLATED_TEXT_TOTAL = 2 * 1024 * 1024;

/** What is left of a file's MAX_INFLATED_TEXT_TOTAL. */
interface InflateBudget {
  left: number;
}

const TOO_MUCH_TEXT = "The PNG's compressed text chunks hold more than 2 MiB of text in all: re-export the image without metadata and upload it again.";

/** The text of a tEXt, zTXt or iTXt chunk's data (compressed text inflated), to look for markup in. */
function pngText(type: string, data: Buffer, budget: InflateBudget): Buffer {
  if (type === "tEXt") return data;
  const keywordEnd = data.indexOf(0);
  if (keywordEnd < 0) throw new ImageRejected("The PNG is damaged (a text chunk without its keyword).");
  let compressed: boolean;
  let start: number;
  if (type === "zTXt") {
    compressed = true;
    start = keywordEnd + 2;
  } else {
    // iTXt: keyword\0 flag method language\0 translated keyword\0 text
    compressed = data[keywordEnd + 1] === 1;
    const languageEnd = data.indexOf(0, keywordEnd + 3);
    const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
    if (translatedEnd < 0) throw new ImageRejected("The PNG is damaged (an international text chunk without its header).");
    start = translatedEnd + 1;
  }
  const head = data.subarray(0, start);
  if (!compressed) return data;
  if (budget.left <= 0) throw new ImageRejected(TOO_MUCH_TEXT);
  const limit = Math.min(MAX_INFLATED_TEXT, budget.left);
  let text: Buffer;
  try {
    text = inflateSync(data.subarray(start), { maxOutputLength: limit });
  } catch (error) {
    if (limit < MAX_INFLATED_TEXT && (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw new ImageRejected(TOO_MUCH_TEXT);
    throw new ImageRejected("The PNG has a compressed text chunk that does not open (or is over 1 MiB): re-export the image without metadata and upload it again.");
  }
  budget.left -= text.length;
  return Buffer.concat([head, text]);
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
  const budget: InflateBudget = { left: MAX_INFLATED_TEXT_TOTAL };
  while (off + 12 <= bytes.length) {
    const len = bytes.readUInt32BE(off);
    const type = bytes.toString("latin1", off + 4, off + 8);
    if (len > bytes.length || off + 12 + len > bytes.length) throw new ImageRejected("The PNG is truncated or damaged.");
    if (!/^[A-Za-z]{4}$/.test(type)) throw new ImageRejected("The PNG is damaged (a chunk without a valid type).");
    if (first) {
      if (type !== "IHDR" || len !== 13) throw new ImageRejected("The PNG is damaged (no header chunk first).");
      width = bytes.readUInt32BE(off + 8);
      height = bytes.readUInt32BE(off + 12);
      first = false;
    }
    // Upper-case first letter: critical, which a decoder must understand.
    if (type[0] === type[0].toUpperCase() && !PNG_CRITICAL.has(type)) throw new ImageRejected(`The PNG has a chunk (${type}) that image viewers cannot read: re-export it as a plain PNG.`);
    if (!PNG_PIXEL_CHUNKS.has(type)) {
      // Everything but the pixels and colour tables: the header, the small rendering chunks (gAMA,
      // sRGB, pHYs …), metadata (text, eXIf, an ICC profile), private chunks.
      const data = bytes.subarray(off + 8, off + 8 + len);
      refusePolyglot(data, "PNG", false);
      if (type === "tEXt" || type === "zTXt" || type === "iTXt") refusePolyglot(pngText(type, data, budget), "PNG", true);
    }
    off += 12 + len;
    if (type === "IEND") {
      if (off !== bytes.length) throw new ImageRejected("The PNG has data after its end (a polyglot file?): re-export the image and upload it again.");
      return { width, height };
    }
  }
  throw new ImageRejected("The PNG is truncated or damaged (no end chunk).");
}

/**
 * The end of the entropy-coded data that starts at `off` (after an SOS header): the offset of the
 * next marker that is not a stuffed 0xFF00, a restart marker (RST0–7) or fill bytes.
 */
function entropyEnd(bytes: Buffer, off: number): number {
  for (let i = bytes.indexOf(0xff, off); i >= 0 && i + 1 < bytes.length; i = bytes.indexOf(0xff, i + 1)) {
    const next = bytes[i + 1];
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
      i++;
      continue;
    }
    if (next === 0xff) continue;
    return i;
  }
  throw new ImageRejected("The JPEG is truncated or damaged (no end marker).");
}

function checkJpeg(bytes: Buffer): { width: number; height: number } {
  let off = 2;
  let size: { width: number; height: number } | null = null;
  while (off + 2 <= bytes.length) {
    if (bytes[off] !== 0xff) throw new ImageRejected("The JPEG is damaged (bad segment marker).");
    const marker = bytes[off + 1];
    if (marker === 0xff) {
      off++;
      continue;
    }
    if (marker === 0xd9) {
      // EOI: nothing may follow it.
      if (off + 2 !== bytes.length) throw new ImageRejected("The JPEG does not end where it should (data after its end marker: a polyglot file?).");
      if (!size) throw new ImageRejected("The JPEG has no size header.");
      return size;
    }
    if (off + 4 > bytes.length) break;
    const len = bytes.readUInt16BE(off + 2);
    if (len < 2 || off + 2 + len > bytes.length) throw new ImageRejected("The JPEG is truncated or damaged.");
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC): height then width.
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      // Length, precision, height, width, component count: at least 8 bytes, all inside the segment.
      if (len < 8) throw new ImageRejected("The JPEG is damaged.");
      size = { height: bytes.readUInt16BE(off + 5), width: bytes.readUInt16BE(off + 7) };
    }
    // Every segment but the pixels: APPn (EXIF, XMP, ICC profile …) and the tables for markup in
    // binary data; a comment (COM) is text.
    const data = bytes.subarray(off + 4, off + 2 + len);
    refusePolyglot(data, "JPEG", false);
    if (marker === 0xfe) refusePolyglot(data, "JPEG", true);
    off += 2 + len;
    // SOS: entropy-coded data (the pixels) up to the next marker; a progressive JPEG has several scans.
    if (marker === 0xda) off = entropyEnd(bytes, off);
  }
  throw new ImageRejected("The JPEG is truncated or damaged (no end marker).");
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
    contentType = "image/png";
    out = bytes;
  } else if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    dims = checkJpeg(bytes);
    checkSize(dims.width, dims.height, "JPEG");
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
