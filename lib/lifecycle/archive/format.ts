// The archive's contents, format version 1 (docs/tenant-migration.md).
//
// Inside the sealed, gzipped body: one line per record.
//   #{"kind":"archive",…}   the manifest head: source deployment, tenants, tables and their columns
//   #{"kind":"section","name":…}   then that section's rows, one canonical row per line
//   #{"kind":"dek",…} / #{"kind":"totp",…}   a wrapped secret, right after the row it belongs to
//   #{"kind":"end","sections":{…}}   the manifest tail: rows and sha256 of every section
// A row line is the row's canonical encoding: Postgres's to_jsonb(row)::text
// (keys sorted by jsonb, so column order does not matter) under the fixed
// session settings below, so the same rows give the same bytes on any
// deployment and any Postgres 15+. Node never parses a row (a bigint or a
// numeric would lose digits); it hashes and forwards the text. A section's
// checksum is sha256 over its row lines, each followed by "\n", in key order.
import { createHash } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import { z } from "zod";
import { ArchiveError } from "./errors";

export const FORMAT_VERSION = 1;

/** Sections that are not catalog tables: the users the tenants' rows refer to. */
export const USERS = "public.users";
export const USER_REFS = "user-refs";
export const USER_MFA = "public.user_mfa";
export const RECOVERY_CODES = "public.user_recovery_codes";

/** Canonical text does not depend on the session that produced it. */
export const CANONICAL_SESSION_SQL = `
  select set_config('timezone', 'UTC', true), set_config('datestyle', 'ISO, YMD', true),
         set_config('intervalstyle', 'postgres', true), set_config('extra_float_digits', '1', true),
         set_config('bytea_output', 'hex', true), set_config('idle_in_transaction_session_timeout', '0', true)`;

const tenantRef = z.object({
  id: z.string().uuid(),
  slug: z.string(),
  kind: z.enum(["mssp", "customer", "site"]),
  name: z.string(),
});

export const archiveHeadSchema = z.object({
  kind: z.literal("archive"),
  format: z.literal(FORMAT_VERSION),
  createdAt: z.string(),
  sourceDeployment: z.string().uuid(),
  /** The exported tenant; its subtree follows it in `tenants` (parents first). */
  root: tenantRef,
  /** Where the root hung in the source (null for an MSSP). */
  sourceParent: tenantRef.nullable(),
  tenants: z.array(tenantRef).min(1),
  tables: z.array(z.object({ name: z.string(), columns: z.array(z.string()), primaryKey: z.array(z.string()) })),
  /** Whether TOTP secrets travel re-wrapped under the transfer key, or only sealed under the source's NEXTAUTH_SECRET. */
  totp: z.enum(["wrapped", "sealed-only"]),
});
export type ArchiveHead = z.infer<typeof archiveHeadSchema>;
export type TenantRef = z.infer<typeof tenantRef>;

export const sectionDigestSchema = z.object({ rows: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export type SectionDigest = z.infer<typeof sectionDigestSchema>;

export const controlSchema = z.discriminatedUnion("kind", [
  archiveHeadSchema,
  z.object({ kind: z.literal("section"), name: z.string() }),
  z.object({ kind: z.literal("dek"), tenantId: z.string().uuid(), version: z.number().int().positive(), wrapped: z.string() }),
  z.object({ kind: z.literal("totp"), userId: z.string().uuid(), wrapped: z.string() }),
  z.object({ kind: z.literal("end"), sections: z.record(z.string(), sectionDigestSchema) }),
]);
export type Control = z.infer<typeof controlSchema>;

export const controlLine = (c: Control) => `#${JSON.stringify(c)}\n`;

export function parseControl(line: string): Control {
  let value: unknown;
  try {
    value = JSON.parse(line.slice(1));
  } catch {
    throw new ArchiveError("corrupt", "the archive holds a damaged record");
  }
  const parsed = controlSchema.safeParse(value);
  if (!parsed.success) throw new ArchiveError("corrupt", `the archive holds a record this portal does not understand: ${line.slice(0, 60)}`);
  return parsed.data;
}

/** Rows and sha256 of one section's canonical lines. */
export class Digest {
  rows = 0;
  private readonly hash = createHash("sha256");
  add(line: string) {
    this.rows++;
    this.hash.update(line).update("\n");
  }
  done(): SectionDigest {
    return { rows: this.rows, sha256: this.hash.digest("hex") };
  }
}

/** Sha256 hex of no lines at all. */
export const EMPTY_SHA256 = createHash("sha256").digest("hex");

const MAX_LINE = 64 * 1024 * 1024;

/** Lines of a byte stream (UTF-8, "\n"-separated), a bounded amount buffered. */
export async function* splitLines(source: AsyncIterable<Buffer | string>, opts: { lastLineMayLackNewline?: boolean } = {}): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  for await (const chunk of source) {
    rest += typeof chunk === "string" ? chunk : decoder.write(chunk);
    let at: number;
    let from = 0;
    while ((at = rest.indexOf("\n", from)) >= 0) {
      yield rest.slice(from, at);
      from = at + 1;
    }
    rest = rest.slice(from);
    if (rest.length > MAX_LINE) throw new ArchiveError("corrupt", "the archive holds a record longer than 64 MiB");
  }
  rest += decoder.end();
  if (rest.length > 0 && opts.lastLineMayLackNewline) yield rest;
  else if (rest.length > 0) throw new ArchiveError("corrupt", "the archive's last record is incomplete");
}
