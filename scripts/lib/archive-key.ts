// The offboarding export seals each tenant's archive with the transfer key in
// TENANT_ARCHIVE_KEY_FILE (lib/lifecycle/offboard-export.ts). In production the
// operator provides it (and keeps a copy where the archives' readers are);
// locally one is generated once and kept in .data/ (git-ignored).
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

export async function localArchiveKeyFile(dir = path.join(process.cwd(), ".data")): Promise<string> {
  if (process.env.TENANT_ARCHIVE_KEY_FILE) return process.env.TENANT_ARCHIVE_KEY_FILE;
  const file = path.join(dir, "archive-transfer.key");
  if (!existsSync(file)) {
    await mkdir(dir, { recursive: true });
    await writeFile(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
  }
  return file;
}
