// Restore one tenant (and its subtree) from an archive (issue 8, point 6):
// beside live tenants in the same deployment, or into another one.
//
// All of it is ONE transaction, so a refusal, a crash or a kill at any point
// leaves nothing half-restored, and running it again works. The archive is
// streamed (file → ArchiveDecryptor → gunzip → lines → batched inserts), so
// memory stays flat; a tampered or truncated archive is only known for sure
// at its end, which is why nothing commits before the last chunk has been
// authenticated and the manifest's checksums matched what was read. Then, by
// default, the checksums are recomputed from what was written (verify).
//
// Audit trail: a hash chain is append-only, so it is restored verbatim (each
// link checked by the audit trigger) only into a tenant whose chain is empty
// here. A tenant with a live chain keeps it: its history up to the archive is
// already in it, and rows after it must not vanish; a `tenant.restored` row is
// appended instead, saying whether the live chain contains the archive's head.
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type pg from "pg";
import { mfaKey } from "@/lib/auth/mfa-crypto";
import { recordAudit } from "@/lib/audit/record";
import type { Db } from "@/lib/db/with-tenant";
import { evictTenantKeys } from "@/lib/vault/keys";
import { deleteTenantRows, loadTenantCatalog, loadUserTables, type TenantTable } from "@/lib/lifecycle/catalog";
import { queueIsolationReapply } from "../isolation-reapply";
import { lockTree } from "../tree-lock";
import { ArchiveDecryptor } from "./crypto";
import { ArchiveError } from "./errors";
import { Digest, parseControl, splitLines, type ArchiveHead, type SectionDigest, type TenantRef } from "./format";
import { checkSchema, planRestore, type RestorePlan } from "./plan";
import { rebuildMissingRollups } from "./derived";
import { AUDIT_LOG, CHAIN_HEADS, digestSection, sectionAsArchived, TENANT_KEYS, userColumns } from "./sections";
import { withArchiveWrite } from "./tx";
import { upgradesFor } from "./upgrades";
import { createUserMap, emptyUserReport, type UserReport } from "./users";
import { ALERTS, BILLING_ASSIGNMENTS, JOBS, NOT_RESUMED, writerFor, type SectionWriter, type WriterContext } from "./writer";

export interface RestoreOptions {
  in: Readable;
  transferKey: Buffer;
  /** Slug of the tenant to hang the root under (another deployment; or a move). */
  parentSlug?: string;
  /** Overwrite tenants of the archive that exist here (same ids). */
  replace?: boolean;
  /** This deployment's NEXTAUTH_SECRET, to re-seal carried TOTP secrets (default: the environment's). */
  authSecret?: string;
  /** Recompute every section's checksum from what was written before committing (default true). */
  verify?: boolean;
  progress?: (p: { section: string; rows: number }) => void;
  via?: string;
}

export interface RestoreResult {
  root: TenantRef;
  tenants: TenantRef[];
  sourceDeployment: string;
  sameDeployment: boolean;
  created: string[];
  replaced: string[];
  /** Live rows of replaced tenants removed first. */
  deletedRows: number;
  /** The archive's manifest. */
  sections: Record<string, SectionDigest>;
  written: Record<string, number>;
  /** Per catalog section: "equal", or why it was not compared. */
  verified: Record<string, string>;
  audit: { restoredChains: string[]; keptChains: string[] };
  users: UserReport;
  /** Tenants restored in another state than active (as the archive had them: an offboarding export says deprovisioning). */
  notActive: { slug: string; status: string }[];
  /** Schema changes since the archive was taken that the restore carried its rows through (upgrades.ts), with the rows each changed. */
  upgrades: { id: string; table: string; migration: string; description: string; rows: number }[];
  /** Rollup tables the archive predates, recomputed here from its alerts and assets (derived.ts). */
  rebuilt: string[];
}

export async function restoreTenant(opts: RestoreOptions): Promise<RestoreResult> {
  const decryptor = new ArchiveDecryptor(opts.transferKey);
  let result: RestoreResult | undefined;
  try {
    await pipeline(opts.in, decryptor, createGunzip(), async (source: AsyncIterable<Buffer>) => {
      const lines = splitLines(source);
      const first = await lines.next();
      const head = !first.done && first.value.startsWith("#") ? parseControl(first.value) : null;
      if (head?.kind !== "archive") throw new ArchiveError("corrupt", "the archive does not start with its manifest");
      result = await withArchiveWrite((client, db) => new Restore(client, db, head, decryptor.secrets!, opts).run(lines));
      // Other processes hear it from keyring.reset_tenant_keys (at commit); this one forgets now.
      for (const t of head.tenants) evictTenantKeys(t.id);
    });
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith("Z_")) throw new ArchiveError("corrupt", "the archive's body does not decompress");
    throw error;
  }
  return result!;
}

class Restore {
  private readonly digests: Record<string, SectionDigest> = {};
  /** The keys of each section's rows, as the archive holds them (its schema may be older). */
  private readonly rowKeys = new Map<string, string[]>();
  private manifest?: Record<string, SectionDigest>;
  private ctx!: WriterContext;
  private plan!: RestorePlan;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly db: Db,
    private readonly head: ArchiveHead,
    private readonly secrets: { dek: Buffer; totp: Buffer },
    private readonly opts: RestoreOptions,
  ) {}

  async run(lines: AsyncGenerator<string>): Promise<RestoreResult> {
    const { client, head, opts } = this;
    const catalog = await loadTenantCatalog(client);
    const schemaHere = [...(await loadUserTables(client)), ...catalog];
    const columns = checkSchema(head, schemaHere);
    // Two restores of one tenant queue here instead of interleaving.
    await client.query("select pg_advisory_xact_lock(hashtextextended($1, 0))", [`lifecycle.archive:${head.root.id}`]);
    // The tree's lock next (../tree-lock.ts), before the plan locks the tenant rows and reads the
    // parent: the tenants upsert would take it anyway, while holding those rows.
    await lockTree(this.db);
    this.plan = await planRestore(client, head, opts);
    const ids = head.tenants.map((t) => t.id);
    const { rows: [{ chains }] } = await client.query<{ chains: string[] }>("select keyring.begin_restore($1::uuid[]) as chains", [ids]);
    // The alerts' SLA breach flags come back as the archive has them (decided when each clock stopped,
    // against the targets of then), not decided again against today's (20261201028000).
    await client.query("select set_config('analytics.breach_flags_given', 'on', true)");
    let deletedRows = 0;
    const replacedIds = this.plan.replaced.map((t) => t.id);
    for (let n = -1; n !== 0 && replacedIds.length; deletedRows += n) {
      n = await deleteTenantRows(client, replacedIds, { keep: [TENANT_KEYS], catalog, batchSize: 20_000 });
      if (n) opts.progress?.({ section: "deleting live rows", rows: deletedRows + n });
    }
    await createUserMap(client);
    let mfaHere: Buffer | null = null;
    try {
      mfaHere = mfaKey(opts.authSecret);
    } catch {
      mfaHere = null;
    }
    this.ctx = {
      client, catalog, columns, tenantIds: ids, rootId: head.root.id, parentId: this.plan.parentId, auditChains: chains,
      keys: { ...this.secrets, mfaHere }, users: emptyUserReport(), written: {}, archiveHeads: new Map(),
      upgrades: upgradesFor(head, schemaHere), upgraded: new Map(),
    };
    await this.readBody(lines);

    const kept = ids.filter((id) => !chains.includes(id));
    const verified = opts.verify === false ? {} : await this.verify(catalog, kept.length > 0);
    await this.recordRestored(kept);
    await client.query("select keyring.end_restore()");
    // Only now do the rollup triggers count these tenants again; still before the commit.
    const rebuilt = await rebuildMissingRollups(client, head, ids);
    // Their namespaces (made, or labelled for where they now sit): queued to be applied once this commits.
    await queueIsolationReapply(this.db, head.root.id);
    const { rows: [{ here }] } = await client.query<{ here: string }>("select keyring.deployment_id()::text as here");
    const { rows: notActive } = await client.query<{ slug: string; status: string }>(
      "select slug, status from public.tenants where id = any ($1::uuid[]) and status <> 'active' order by slug",
      [ids],
    );
    const slugOf = (id: string) => head.tenants.find((t) => t.id === id)!.slug;
    return {
      root: head.root, tenants: head.tenants, sourceDeployment: head.sourceDeployment, sameDeployment: here === head.sourceDeployment,
      created: this.plan.created.map((t) => t.slug), replaced: this.plan.replaced.map((t) => t.slug), deletedRows,
      sections: this.manifest!, written: this.ctx.written, verified,
      audit: { restoredChains: chains.map(slugOf), keptChains: kept.map(slugOf) }, users: this.ctx.users, notActive,
      upgrades: [...this.ctx.upgrades.values()].flat().map((u) => ({
        id: u.id, table: u.table, migration: u.migration, description: u.description, rows: this.ctx.upgraded.get(u.table)?.changed ?? 0,
      })),
      rebuilt,
    };
  }

  private async readBody(lines: AsyncGenerator<string>) {
    let section: { name: string; digest: Digest; writer: SectionWriter } | undefined;
    const close = async () => {
      if (!section) return;
      await section.writer.end();
      this.digests[section.name] = section.digest.done();
      this.opts.progress?.({ section: section.name, rows: section.digest.rows });
      section = undefined;
    };
    for await (const line of lines) {
      if (this.manifest) throw new ArchiveError("corrupt", "the archive holds records after its manifest");
      if (!line.startsWith("#")) {
        if (!section) throw new ArchiveError("corrupt", "the archive holds a row outside any section");
        if (section.digest.rows === 0) this.rowKeys.set(section.name, Object.keys(JSON.parse(line) as object));
        section.digest.add(line);
        await section.writer.row(line);
        if (section.digest.rows % 5000 === 0) this.opts.progress?.({ section: section.name, rows: section.digest.rows });
        continue;
      }
      const ctl = parseControl(line);
      if (ctl.kind === "section") {
        await close();
        if (this.digests[ctl.name]) throw new ArchiveError("corrupt", `the archive holds section ${ctl.name} twice`);
        section = { name: ctl.name, digest: new Digest(), writer: await writerFor(this.ctx, ctl.name) };
      } else if (ctl.kind === "dek" || ctl.kind === "totp") {
        if (!section?.writer.secret) throw new ArchiveError("corrupt", "the archive holds a secret out of place");
        if (ctl.kind === "dek") await section.writer.secret("dek", ctl.tenantId, ctl.version, ctl.wrapped);
        else await section.writer.secret("totp", ctl.userId, undefined, ctl.wrapped);
      } else if (ctl.kind === "end") {
        await close();
        this.checkManifest(ctl.sections);
        this.manifest = ctl.sections;
      } else {
        throw new ArchiveError("corrupt", "the archive holds a second manifest head");
      }
    }
    // Reached only once the decryptor has authenticated the final chunk.
    if (!this.manifest) throw new ArchiveError("truncated", "the archive ends before its manifest");
  }

  private checkManifest(expected: Record<string, SectionDigest>) {
    for (const name of new Set([...Object.keys(expected), ...Object.keys(this.digests)])) {
      const want = expected[name];
      const got = this.digests[name];
      if (!want || !got || want.rows !== got.rows || want.sha256 !== got.sha256) {
        throw new ArchiveError("tampered", `section ${name} does not match the manifest (${got?.rows ?? 0} rows read, ${want?.rows ?? 0} listed)`);
      }
    }
  }

  /** The checksums of what was written, against the manifest, table by table. */
  private async verify(catalog: TenantTable[], chainKept: boolean): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const mapped = new Set(this.ctx.mapChanged ? userColumns(catalog).map(([t]) => t.name) : []);
    for (const table of catalog) {
      // An older archive's rows lack the columns added here since: compare without them,
      // and with the rows as its upgrades carried them over (upgrades.ts).
      const section = sectionAsArchived(table, this.rowKeys.get(table.name) ?? table.columns.map((c) => c.name));
      const want = this.ctx.upgraded.get(section.name)?.digest.done() ?? this.manifest![section.name];
      if (!want) continue; // a table this deployment has and the archive's source did not
      if (chainKept && (section.name === AUDIT_LOG || section.name === CHAIN_HEADS)) {
        out[section.name] = "kept the live audit chain";
        continue;
      }
      if (section.name === JOBS) {
        const { rows } = await this.client.query<{ n: number }>(
          "select count(*)::int as n from public.jobs where tenant_id = any ($1::uuid[]) and last_error = $2",
          [this.ctx.tenantIds, NOT_RESUMED],
        );
        if (rows[0].n > 0) {
          out[section.name] = `${rows[0].n} unfinished job(s) restored as cancelled`;
          continue;
        }
      }
      if (mapped.has(section.name)) {
        out[section.name] = "user references mapped to this deployment's accounts";
        continue;
      }
      if (section.name === BILLING_ASSIGNMENTS && this.ctx.skippedAssignments) {
        out[section.name] = `${this.ctx.skippedAssignments} plan assignment(s) left out (their MSSP's plan is not in this database)`;
        continue;
      }
      if (section.name === ALERTS && this.ctx.clearedGroups) {
        out[section.name] = `${this.ctx.clearedGroups} alert(s) restored without their group (a group of a tenant outside the archive)`;
        continue;
      }
      const got = await digestSection(this.client, section, this.ctx.tenantIds, this.head.root.id);
      if (got.rows !== want.rows || got.sha256 !== want.sha256) {
        throw new ArchiveError("conflict", `after writing, ${section.name} differs from the archive (${got.rows} rows here, ${want.rows} in the archive): nothing was restored`);
      }
      out[section.name] = "equal";
    }
    return out;
  }

  private async recordRestored(kept: string[]) {
    const base = { sourceDeployment: this.head.sourceDeployment, archiveCreatedAt: this.head.createdAt, via: this.opts.via ?? "lifecycle.archive" };
    for (const id of kept) {
      const head = this.ctx.archiveHeads.get(id);
      const { rows } = head
        ? await this.client.query<{ ok: boolean }>("select hash = decode($3, 'hex') as ok from public.audit_log where tenant_id = $1 and seq = $2", [id, head.seq, head.hash.replace(/^\\x/, "")])
        : { rows: [] };
      await recordAudit(this.db, {
        tenantId: id, action: "tenant.restored", targetType: "tenant", targetId: id, outcome: "success",
        details: { ...base, archiveChainInLiveChain: head ? rows[0]?.ok === true : null, archiveChainLength: head?.seq ?? 0 },
      });
    }
    if (this.plan.parentId) {
      await recordAudit(this.db, {
        tenantId: this.plan.parentId, action: "tenant.restored", targetType: "tenant", targetId: this.head.root.id, outcome: "success",
        details: { ...base, slug: this.head.root.slug, tenants: this.head.tenants.map((t) => t.slug), replaced: this.plan.replaced.length > 0 },
      });
    }
  }
}
