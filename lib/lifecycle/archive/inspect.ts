// Reads a whole archive without touching any database: authenticates every
// chunk, recomputes every section's checksum against the manifest and
// returns the manifest. The staging rehearsal starts with it
// (docs/tenant-migration.md), and it is how to check a file after copying it.
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { ArchiveDecryptor } from "./crypto";
import { ArchiveError } from "./errors";
import { Digest, parseControl, splitLines, type ArchiveHead, type SectionDigest } from "./format";

export interface InspectResult {
  head: ArchiveHead;
  sections: Record<string, SectionDigest>;
  /** Wrapped data keys and second-factor secrets it carries (never their values). */
  secrets: { deks: number; totp: number };
}

export async function inspectArchive(input: Readable, transferKey: Buffer): Promise<InspectResult> {
  let head: ArchiveHead | undefined;
  let manifest: Record<string, SectionDigest> | undefined;
  const digests: Record<string, SectionDigest> = {};
  const secrets = { deks: 0, totp: 0 };
  try {
    await pipeline(input, new ArchiveDecryptor(transferKey), createGunzip(), async (source: AsyncIterable<Buffer>) => {
      let current: { name: string; digest: Digest } | undefined;
      const close = () => {
        if (current) digests[current.name] = current.digest.done();
        current = undefined;
      };
      for await (const line of splitLines(source)) {
        if (manifest) throw new ArchiveError("corrupt", "the archive holds records after its manifest");
        if (!line.startsWith("#")) {
          if (!current) throw new ArchiveError("corrupt", "the archive holds a row outside any section");
          current.digest.add(line);
          continue;
        }
        const ctl = parseControl(line);
        if (ctl.kind === "archive") {
          if (head) throw new ArchiveError("corrupt", "the archive holds a second manifest head");
          head = ctl;
        } else if (!head) {
          throw new ArchiveError("corrupt", "the archive does not start with its manifest");
        } else if (ctl.kind === "section") {
          close();
          current = { name: ctl.name, digest: new Digest() };
        } else if (ctl.kind === "dek") secrets.deks++;
        else if (ctl.kind === "totp") secrets.totp++;
        else {
          close();
          manifest = ctl.sections;
        }
      }
    });
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith("Z_")) throw new ArchiveError("corrupt", "the archive's body does not decompress");
    throw error;
  }
  if (!head || !manifest) throw new ArchiveError("truncated", "the archive ends before its manifest");
  for (const name of new Set([...Object.keys(manifest), ...Object.keys(digests)])) {
    const want = manifest[name];
    const got = digests[name];
    if (!want || !got || want.rows !== got.rows || want.sha256 !== got.sha256) {
      throw new ArchiveError("tampered", `section ${name} does not match the manifest (${got?.rows ?? 0} rows read, ${want?.rows ?? 0} listed)`);
    }
  }
  return { head, sections: manifest, secrets };
}
