// The offboarding's export step: the tenant's archive (lib/lifecycle/archive)
// written under TENANT_ARCHIVE_DIR, sealed with the transfer key in
// TENANT_ARCHIVE_KEY_FILE, before anything is destroyed. Without a key the
// step fails with what to set, and nothing is removed (it can be retried).
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, stat } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PermanentJobError } from "@/lib/jobs";
import { parseTransferKey } from "./archive/crypto";
import { exportTenant } from "./archive/export";
import { settings } from "@/lib/config";

export function archiveDir(): string {
  return settings().TENANT_ARCHIVE_DIR || path.join(process.cwd(), ".data", "archives");
}

async function transferKey(): Promise<Buffer> {
  const file = settings().TENANT_ARCHIVE_KEY_FILE;
  if (!file) {
    throw new PermanentJobError(
      "No archive key is configured (TENANT_ARCHIVE_KEY_FILE), so the tenant cannot be exported before its data is removed. Set it and retry; nothing was removed.",
    );
  }
  try {
    return parseTransferKey(await readFile(file, "utf8"));
  } catch {
    throw new PermanentJobError("The archive key file (TENANT_ARCHIVE_KEY_FILE) cannot be read or is not 32 bytes in base64. Fix it and retry; nothing was removed.");
  }
}

export async function exportForOffboarding(slug: string, jobId: string): Promise<{ file: string; sha256: string; bytes: number; rows: number }> {
  const key = await transferKey();
  const dir = archiveDir();
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${slug}-${new Date().toISOString().slice(0, 10)}-${jobId.slice(0, 8)}.tenant-archive`);
  const partial = `${file}.partial`;
  const hash = createHash("sha256");
  const tee = new Transform({
    transform(chunk, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const out = createWriteStream(partial, { mode: 0o600 });
  const finished = pipeline(tee, out);
  // Both awaited together: a disk error fails the pipeline while the export still writes (its rejection
  // must not go unhandled), and an export that fails must not leave the pipeline and its file open.
  const exported = exportTenant({ slug, out: tee, transferKey: key, via: "offboarding" }).catch((error: unknown) => {
    tee.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  });
  const [result] = await Promise.all([exported, finished]);
  // Renamed only once whole: a file with the final name is a complete archive.
  await rename(partial, file);
  return { file: path.basename(file), sha256: hash.digest("hex"), bytes: (await stat(file)).size, rows: result.rows };
}
