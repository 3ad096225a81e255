// Receiving an upload envelope (envelope.ts) in a route handler: the first
// line's fields parsed with the route's zod schema BEFORE any file byte is
// written, then each file streamed from request.body into its own file in a
// fresh temporary directory (mode 0700; files 0600), so the route handler
// never holds an upload in memory. The caller deletes the directory
// (cleanup()) when done, whatever happened; on a refusal here it is gone
// already.
//
// Refused with a clear message and nothing kept: another content type (415),
// no Content-Length (411), more than UPLOAD_LIMIT_BYTES (413), a first line
// that is not the envelope's, fields that do not parse, files the route does
// not take, or a body shorter or longer than the first line announced (Next's
// proxy cuts a body at its limit: that is caught here, not read as a shorter
// file).
import { mkdtemp, open, rm, type FileHandle } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { ENVELOPE_CONTENT_TYPE, ENVELOPE_HEAD_LIMIT, formatBytes, UPLOAD_LIMIT_BYTES, type EnvelopeFile } from "./envelope";
import { ConsoleRefusal } from "./errors";

export interface FileSpec {
  required: boolean;
  /** The name it is stored under in the upload directory, from the person's name for it; throw a ConsoleRefusal to refuse it. */
  storeAs: (originalName: string) => string;
}

export interface ReceivedFile extends EnvelopeFile {
  /** Where it was written (inside `dir`). */
  path: string;
  storedName: string;
}

export interface Upload<F> {
  fields: F;
  files: ReceivedFile[];
  dir: string;
  cleanup(): Promise<void>;
}

const headSchema = z.object({
  fields: z.record(z.string().max(64), z.union([z.string().max(4096), z.boolean()])),
  files: z
    .array(z.object({ field: z.string().max(32), name: z.string().max(255), size: z.number().int().min(0).max(UPLOAD_LIMIT_BYTES) }))
    .max(8),
});

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue?.message ?? "the form is not valid";
}

export async function receiveUpload<F>(
  request: Request,
  spec: { fields: z.ZodType<F>; files: Record<string, FileSpec>; tooLarge: string; limit?: number },
): Promise<Upload<F>> {
  const limit = spec.limit ?? UPLOAD_LIMIT_BYTES;
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== ENVELOPE_CONTENT_TYPE) throw new ConsoleRefusal(415, "Send this form from the console page (the upload was not in the console's format).");
  const lengthHeader = request.headers.get("content-length");
  const declared = lengthHeader !== null && /^\d{1,15}$/.test(lengthHeader) ? Number(lengthHeader) : null;
  if (declared === null) throw new ConsoleRefusal(411, "The upload did not say how long it is; send it from the console page.");
  if (declared > limit) throw new ConsoleRefusal(413, `${spec.tooLarge} The console takes uploads of up to ${formatBytes(limit)}; this one is ${formatBytes(declared)}.`);
  if (!request.body) throw new ConsoleRefusal(400, "The upload is empty.");

  const reader = request.body.getReader();
  let finished = false;
  let dir: string | undefined;
  const handles: FileHandle[] = [];
  try {
    // 1. The first line.
    let head = Buffer.alloc(0);
    let newline = -1;
    while (newline < 0) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        throw new ConsoleRefusal(400, "The upload was cut short before its first line.");
      }
      head = Buffer.concat([head, value]);
      newline = head.indexOf(10);
      if (newline < 0 && head.length > ENVELOPE_HEAD_LIMIT) throw new ConsoleRefusal(400, "The upload does not start with the console's form line.");
    }
    if (newline + 1 > ENVELOPE_HEAD_LIMIT) throw new ConsoleRefusal(400, "The upload's form line is too long.");
    let parsedHead: z.infer<typeof headSchema>;
    try {
      const r = headSchema.safeParse(JSON.parse(head.subarray(0, newline).toString("utf8")));
      if (!r.success) throw new Error("shape");
      parsedHead = r.data;
    } catch {
      throw new ConsoleRefusal(400, "The upload does not start with the console's form line.");
    }
    const total = newline + 1 + parsedHead.files.reduce((n, f) => n + f.size, 0);
    if (total !== declared) throw new ConsoleRefusal(400, "The upload's length does not match the files it announces; send it again.");

    // 2. Fields and the list of files, before a single file byte is written.
    const fields = spec.fields.safeParse(parsedHead.fields);
    if (!fields.success) throw new ConsoleRefusal(400, firstIssue(fields.error));
    const seen = new Set<string>();
    const planned: { file: EnvelopeFile; storedName: string }[] = [];
    for (const f of parsedHead.files) {
      const fileSpec = Object.hasOwn(spec.files, f.field) ? spec.files[f.field] : undefined;
      if (!fileSpec) throw new ConsoleRefusal(400, `This form takes no "${f.field.slice(0, 32)}" file.`);
      if (seen.has(f.field)) throw new ConsoleRefusal(400, `Send one ${f.field} file, not several.`);
      seen.add(f.field);
      const storedName = fileSpec.storeAs(f.name);
      if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(storedName) || storedName.includes("..")) throw new Error(`bad stored name ${storedName}`);
      planned.push({ file: f, storedName });
    }
    for (const [field, s] of Object.entries(spec.files)) {
      if (s.required && !seen.has(field)) throw new ConsoleRefusal(400, `Choose the ${field} file.`);
    }
    if (planned.length === 0) throw new ConsoleRefusal(400, "Choose at least one file.");
    if (new Set(planned.map((p) => p.storedName)).size !== planned.length) throw new ConsoleRefusal(400, "Two files would have the same name.");

    // 3. The files, streamed to disk in the order announced.
    dir = await mkdtemp(path.join(os.tmpdir(), "mssp-portal-upload-"));
    const files: ReceivedFile[] = [];
    let pending: Uint8Array = head.subarray(newline + 1);
    for (const { file, storedName } of planned) {
      const target = path.join(dir, storedName);
      const fh = await open(target, "wx", 0o600);
      handles.push(fh);
      let left = file.size;
      while (left > 0) {
        if (pending.length === 0) {
          const { done, value } = await reader.read();
          if (done) {
            finished = true;
            throw new ConsoleRefusal(400, `The upload was cut short in ${file.name}; nothing was done. Send it again.`);
          }
          pending = value;
          continue;
        }
        const take = Math.min(left, pending.length);
        await fh.write(pending.subarray(0, take));
        pending = pending.subarray(take);
        left -= take;
      }
      await fh.close();
      handles.pop();
      files.push({ ...file, path: target, storedName });
    }
    // Nothing may follow the last file.
    while (pending.length === 0) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        break;
      }
      pending = value;
    }
    if (!finished) throw new ConsoleRefusal(400, "The upload holds more than the files it announces.");
    const kept = dir;
    return { fields: fields.data, files, dir: kept, cleanup: () => rm(kept, { recursive: true, force: true }) };
  } catch (error) {
    for (const fh of handles) await fh.close().catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
    throw error;
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
