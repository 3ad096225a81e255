// The console's uploads (restore an archive, import a legacy install) and the
// transfer key, as the browser and the route handlers share them. No Node
// imports: the pages' client components use this file too.
//
// An upload is ONE request body, an "envelope":
//
//   {"fields":{…},"files":[{"field":"archive","name":"acme.tenant-archive","size":123}]}\n
//   <the first file's bytes><the second file's bytes>…
//
// The first line carries the form's fields (the transfer key among them: in
// the body, never in a URL or a header that proxies log); the files follow
// back to back, each exactly the size the first line announced. The browser
// builds it as a Blob of the line and the File objects, so it streams the
// files from disk without reading them into the page's memory, and the
// server streams them to a temporary file (lib/lifecycle/web/upload.ts).
// A custom content type also means no plain HTML form from another site can
// send one (a cross-origin fetch with it needs a CORS preflight, refused).

export const ENVELOPE_CONTENT_TYPE = "application/vnd.mssp-portal.upload";

/**
 * The largest request body the console accepts, the first line included,
 * refused 413 by its route (lib/lifecycle/web/upload.ts) past it. The console's
 * own choice: a page restore or import is one request with no progress bar.
 * Next's `experimental.proxyClientMaxBodySize` is this plus 1 MiB
 * (next.config.ts: proxy.ts runs on this route, and Next hands a route only
 * that much of a body; tests/next-config-body-limit.test.ts), and the reverse
 * proxy caps non-API bodies at it (deploy/caddy/Caddyfile). A larger archive
 * or legacy export goes through `npm run tenants -- restore | import`
 * (docs/tenant-migration.md).
 */
export const UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
/** The first line (fields and file list) is at most this long. */
export const ENVELOPE_HEAD_LIMIT = 16 * 1024;

export const TRANSFER_KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

export interface EnvelopeFile {
  /** Which input it came from ("archive", "users", "assets", "alerts"). */
  field: string;
  /** The name on the person's disk (shown back to them; never used as a path). */
  name: string;
  size: number;
}

export interface EnvelopeHead {
  fields: Record<string, string | boolean>;
  files: EnvelopeFile[];
}

/** The request body for `fields` and `files` (browser or Node 20+: Blob and File are global). */
export function envelopeBody(fields: EnvelopeHead["fields"], files: { field: string; file: Blob & { name?: string } }[]): Blob {
  const head: EnvelopeHead = {
    fields,
    files: files.map((f) => ({ field: f.field, name: f.file.name || f.field, size: f.file.size })),
  };
  return new Blob([`${JSON.stringify(head)}\n`, ...files.map((f) => f.file)]);
}

export function formatBytes(n: number): string {
  const unit = (v: number, name: string) => `${Number.isInteger(v) ? v : v.toFixed(1)} ${name}`;
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return unit(n / 1024, "KiB");
  return unit(n / (1024 * 1024), "MiB");
}

/**
 * Why `text` is not a transfer key (32 bytes in base64, the form `npm run
 * tenants -- keygen` writes and "Generate a key" makes), or null if it is one.
 */
export function transferKeyProblem(text: string): string | null {
  const clean = text.trim();
  if (clean === "") return "Enter the transfer key, or generate one.";
  if (!BASE64.test(clean)) return "The transfer key is 44 characters of base64 (letters, digits, + and /, ending in =).";
  const unpadded = clean.replace(/=+$/, "");
  const bytes = Math.floor((unpadded.length * 3) / 4);
  if (bytes !== TRANSFER_KEY_BYTES || unpadded.length % 4 === 1) {
    return `The transfer key must be ${TRANSFER_KEY_BYTES} bytes; this one is ${bytes}.`;
  }
  return null;
}

/** A new transfer key from the platform's CSPRNG (crypto.getRandomValues: the browser's, or Node's). */
export function generateTransferKey(): string {
  const bytes = new Uint8Array(TRANSFER_KEY_BYTES);
  globalThis.crypto.getRandomValues(bytes);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  bytes.fill(0);
  return btoa(binary);
}
