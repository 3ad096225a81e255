// Export one tenant and its subtree into a sealed archive (issue 8, point 6).
//
// One REPEATABLE READ snapshot (tx.ts) feeds a stream: canonical row lines
// from server-side cursors → gzip → ArchiveEncryptor → the caller's Writable,
// with backpressure all the way, so memory stays flat whatever the tenant's
// size. Credentials stay sealed under their DEKs; each DEK (active and
// retiring versions) comes out of Postgres as a query result
// (keyring.unwrap_dek) and goes into the archive only wrapped under a key
// derived from the transfer key, inside a body sealed under another one.
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type pg from "pg";
import { mfaKey, openTotpSecret } from "@/lib/auth/mfa-crypto";
import { recordAudit } from "@/lib/audit/record";
import { withServiceRole } from "@/lib/db/service-role";
import { loadTenantCatalog, loadUserTables } from "@/lib/lifecycle/catalog";
import { ArchiveEncryptor } from "./crypto";
import { wrapSecret } from "./secrets";
import { ArchiveError } from "./errors";
import {
  controlLine,
  Digest,
  FORMAT_VERSION,
  USER_MFA,
  type ArchiveHead,
  type SectionDigest,
  type TenantRef,
} from "./format";
import { catalogSections, readSection, TENANT_KEYS, userSections } from "./sections";
import { withArchiveSnapshot } from "./tx";

export interface ExportOptions {
  slug: string;
  out: Writable;
  /** 32 bytes (parseTransferKey). */
  transferKey: Buffer;
  /** This deployment's NEXTAUTH_SECRET, to carry TOTP secrets re-wrapped (default: the environment's). */
  authSecret?: string;
  /** Called every few thousand rows and at the end of each section. */
  progress?: (p: { section: string; rows: number }) => void;
  /** Recorded in the audit row: who or what asked ("npm run tenants", "console"). */
  via?: string;
}

export interface ExportResult {
  root: TenantRef;
  tenants: TenantRef[];
  sourceDeployment: string;
  sections: Record<string, SectionDigest>;
  rows: number;
  /** Members whose TOTP secret travels re-wrapped (the others' opens only where NEXTAUTH_SECRET is the same). */
  totpWrapped: number;
}

export const dekAad = (tenantId: string, version: number) => `dek|${tenantId}|${version}`;
export const totpAad = (userId: string) => `totp|${userId}`;

async function loadSubtree(client: pg.ClientBase, slug: string) {
  const { rows: [root] } = await client.query<TenantRef & { parent_id: string | null }>(
    "select id, slug, kind, name, parent_id from public.tenants where slug = $1",
    [slug],
  );
  if (!root) throw new ArchiveError("not-found", `no tenant with the slug "${slug}"`);
  const { rows: tenants } = await client.query<TenantRef>(
    `select t.id, t.slug, t.kind, t.name from public.tenants t, public.tenants r
      where r.id = $1 and t.path operator(extensions.<@) r.path order by extensions.nlevel(t.path), t.id`,
    [root.id],
  );
  const { rows: [parent] } = await client.query<TenantRef>("select id, slug, kind, name from public.tenants where id = $1", [root.parent_id]);
  return { root: { id: root.id, slug: root.slug, kind: root.kind, name: root.name }, tenants, parent: parent ?? null };
}

export async function exportTenant(opts: ExportOptions): Promise<ExportResult> {
  let totpKey: Buffer | null = null;
  try {
    totpKey = mfaKey(opts.authSecret);
  } catch {
    totpKey = null; // no NEXTAUTH_SECRET here: TOTP secrets travel sealed only
  }
  const result = await withArchiveSnapshot(async (client) => {
    const { root, tenants, parent } = await loadSubtree(client, opts.slug);
    const ids = tenants.map((t) => t.id);
    const { rows: [{ id: sourceDeployment }] } = await client.query<{ id: string }>("select keyring.deployment_id() as id");
    const catalog = await loadTenantCatalog(client);
    const head: ArchiveHead = {
      kind: "archive",
      format: FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      sourceDeployment,
      root,
      sourceParent: parent,
      tenants,
      tables: [...(await loadUserTables(client)), ...catalog].map((t) => ({
        name: t.name,
        columns: t.columns.filter((c) => !c.generated).map((c) => c.name),
        primaryKey: t.primaryKey,
      })),
      totp: totpKey ? "wrapped" : "sealed-only",
    };
    const encryptor = new ArchiveEncryptor(opts.transferKey);
    const digests: Record<string, SectionDigest> = {};
    let totpWrapped = 0;

    async function* lines(): AsyncGenerator<string> {
      yield controlLine(head);
      for (const section of [...userSections(catalog), ...catalogSections(catalog)]) {
        yield controlLine({ kind: "section", name: section.name });
        const digest = new Digest();
        for await (const row of readSection<Record<string, any> & { line: string }>(client, section, ids, root.id)) {
          digest.add(row.line);
          yield `${row.line}\n`;
          if (section.name === TENANT_KEYS && (row.status === "active" || row.status === "retiring")) {
            // A query RESULT: the DEK is in no statement text or parameter.
            const { rows: [{ dek }] } = await client.query<{ dek: Buffer }>("select keyring.unwrap_dek($1::uuid, $2) as dek", [row.tenant_id, row.version]);
            const wrapped = wrapSecret(encryptor.secrets.dek, dekAad(row.tenant_id, row.version), dek);
            dek.fill(0);
            yield controlLine({ kind: "dek", tenantId: row.tenant_id, version: row.version, wrapped });
          }
          if (section.name === USER_MFA && totpKey) {
            const wrapped = rewrapTotp(totpKey, encryptor.secrets.totp, row.user_id, row.totp_secret);
            if (wrapped) {
              totpWrapped++;
              yield controlLine({ kind: "totp", userId: row.user_id, wrapped });
            }
          }
          if (digest.rows % 5000 === 0) opts.progress?.({ section: section.name, rows: digest.rows });
        }
        digests[section.name] = digest.done();
        opts.progress?.({ section: section.name, rows: digests[section.name].rows });
      }
      yield controlLine({ kind: "end", sections: digests });
    }

    await pipeline(Readable.from(batched(lines()), { objectMode: false }), createGzip(), encryptor, opts.out);
    return { root, tenants, sourceDeployment, sections: digests, totpWrapped };
  });
  const rows = Object.values(result.sections).reduce((n, d) => n + d.rows, 0);
  // After the snapshot: an export leaves a trace in the exported tenant's own
  // trail, which its admins can read, and which the archive itself predates.
  await withServiceRole("lifecycle.archive", (db) =>
    recordAudit(db, {
      tenantId: result.root.id,
      action: "tenant.exported",
      targetType: "tenant",
      targetId: result.root.id,
      outcome: "success",
      details: { tenants: result.tenants.map((t) => t.slug), rows, via: opts.via ?? "lifecycle.archive" },
    }),
  );
  return { ...result, rows };
}

/** Lines joined into ~64 KiB pieces: one stream chunk per row would cost more than the row. */
async function* batched(lines: AsyncIterable<string>): AsyncGenerator<string> {
  let buf = "";
  for await (const line of lines) {
    buf += line;
    if (buf.length >= 65536) {
      yield buf;
      buf = "";
    }
  }
  if (buf) yield buf;
}

/** The TOTP secret opened with this deployment's key and wrapped under the archive's; null if it does not open here. */
function rewrapTotp(mfa: Buffer, archiveTotpKey: Buffer, userId: string, sealed: string): string | null {
  let secret: Buffer;
  try {
    secret = openTotpSecret(userId, sealed, mfa);
  } catch {
    return null;
  }
  const wrapped = wrapSecret(archiveTotpKey, totpAad(userId), secret);
  secret.fill(0);
  return wrapped;
}
