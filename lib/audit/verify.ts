// Verifies the audit trail's hash chains (npm run audit:verify).
//
// For every tenant with a chain, walks its rows in seq order and checks each
// link: seq is the next number, prev_hash is the previous row's hash (32 zero
// bytes for seq 1), and hash = sha256(prev_hash || canonical encoding), the
// encoding recomputed HERE, in TypeScript, from the row's columns, not by the
// database function that wrote it. Finally the last row must match the
// tenant's chain head (audit.chain_heads), so rows cut from the end of a
// chain are noticed too. The first broken link of each tenant is reported.
//
// What this catches: any edited, deleted or inserted row (only possible for
// the owner, with the append-only trigger disabled). What it cannot catch
// alone: someone with owner rights who rewrites a row AND recomputes every
// later hash and the head. Against that, keep the heads this report prints
// somewhere the database owner cannot write (a ticket, a log store) and
// compare.
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { withServiceRole } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";

export const CANONICAL_VERSION = 1;
export const GENESIS_HASH: Buffer = Buffer.alloc(32);

/** The columns the canonical encoding covers, as the database prints them. */
export interface CanonicalFields {
  tenantId: string;
  /** bigint, as decimal text. */
  seq: string;
  /** occurred_at as integer microseconds since the Unix epoch, decimal text. */
  occurredAtMicros: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  requestId: string | null;
  /** details::text, exactly as Postgres prints the jsonb. */
  detailsJson: string;
}

const INTEGER = /^-?\d+$/;

/** A JSON string literal as Postgres's jsonb output writes it (the same escapes as JSON.stringify). */
function jsonString(value: string | null): string {
  return value === null ? "null" : JSON.stringify(value);
}

/**
 * Canonical encoding, version 1: the text of the jsonb array
 * [1, tenant_id, seq, occurred_at µs, actor_id, actor_email, action,
 *  target_type, target_id, outcome, request_id, details] as Postgres prints it.
 * Must stay byte-identical to audit.canonical() in the migration.
 */
export function canonicalEncoding(f: CanonicalFields): string {
  if (!INTEGER.test(f.seq) || !INTEGER.test(f.occurredAtMicros)) throw new Error("seq and occurred_at must be integers");
  const parts = [
    String(CANONICAL_VERSION),
    jsonString(f.tenantId),
    f.seq,
    f.occurredAtMicros,
    jsonString(f.actorId),
    jsonString(f.actorEmail),
    jsonString(f.action),
    jsonString(f.targetType),
    jsonString(f.targetId),
    jsonString(f.outcome),
    jsonString(f.requestId),
    f.detailsJson,
  ];
  return `[${parts.join(", ")}]`;
}

/** hash of a row = sha256(prev_hash || UTF-8 bytes of its canonical encoding). */
export function linkHash(prevHash: Buffer, canonical: string): Buffer {
  return createHash("sha256").update(prevHash).update(Buffer.from(canonical, "utf8")).digest();
}

export interface ChainBreak {
  tenantId: string;
  tenantSlug: string;
  /** The seq of the first link that does not hold. */
  seq: number;
  reason: "hash mismatch" | "prev_hash mismatch" | "missing row" | "unexpected row" | "head mismatch" | "missing head";
  /** What the chain says should be there (hex hash or a seq), and what is. */
  expected: string;
  stored: string;
}

export interface ChainSummary {
  tenantId: string;
  tenantSlug: string;
  rows: number;
  /** The last verified link: keep these somewhere else to catch a full rewrite. */
  headSeq: number;
  headHash: string;
}

export interface VerifyReport {
  chains: ChainSummary[];
  rows: number;
  breaks: ChainBreak[];
  ok: boolean;
}

interface ChainRow {
  seq: string;
  occurred_us: string;
  actor_id: string | null;
  actor_email: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  request_id: string | null;
  details: string;
  prev_hash: Buffer;
  hash: Buffer;
}

const hex = (b: Buffer | null | undefined) => (b ? b.toString("hex") : "(none)");

async function rowsOf(db: Db, sqlText: ReturnType<typeof sql>): Promise<any[]> {
  const result = await db.execute(sqlText);
  return result.rows;
}

/** Verifies one tenant's chain up to its head (rows committed after the head was read are left for the next run). */
async function verifyChain(
  db: Db,
  chain: { tenantId: string; tenantSlug: string; headSeq: string | null; headHash: Buffer | null; maxSeq: string | null },
  batchSize: number,
): Promise<{ summary: ChainSummary; broken?: ChainBreak }> {
  const { tenantId, tenantSlug } = chain;
  const at = (seq: number | string, reason: ChainBreak["reason"], expected: string, stored: string): ChainBreak => ({
    tenantId,
    tenantSlug,
    seq: Number(seq),
    reason,
    expected,
    stored,
  });
  let prev: Buffer = GENESIS_HASH;
  let expectedSeq = 1n;
  let count = 0;
  const limitSeq = chain.headSeq ?? "9223372036854775807";
  const summary = (): ChainSummary => ({ tenantId, tenantSlug, rows: count, headSeq: Number(expectedSeq - 1n), headHash: prev.toString("hex") });

  for (;;) {
    const batch = (await rowsOf(
      db,
      sql`select seq::text, (extract(epoch from occurred_at) * 1000000)::bigint::text as occurred_us,
                 actor_id::text, actor_email, action, target_type, target_id, outcome, request_id,
                 details::text as details, prev_hash, hash
            from public.audit_log a
           where a.tenant_id = ${tenantId} and a.seq >= ${expectedSeq.toString()}::bigint and a.seq <= ${limitSeq}::bigint
           order by a.seq -- the column, not the text alias above
           limit ${batchSize}`,
    )) as ChainRow[];
    for (const r of batch) {
      const seq = BigInt(r.seq);
      if (seq !== expectedSeq) {
        return { summary: summary(), broken: at(expectedSeq.toString(), "missing row", `seq ${expectedSeq}`, `next row is seq ${seq}`) };
      }
      if (!r.prev_hash.equals(prev)) {
        return { summary: summary(), broken: at(r.seq, "prev_hash mismatch", hex(prev), hex(r.prev_hash)) };
      }
      const canonical = canonicalEncoding({
        tenantId,
        seq: r.seq,
        occurredAtMicros: r.occurred_us,
        actorId: r.actor_id,
        actorEmail: r.actor_email,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        outcome: r.outcome,
        requestId: r.request_id,
        detailsJson: r.details,
      });
      const expected = linkHash(prev, canonical);
      if (!expected.equals(r.hash)) {
        return { summary: summary(), broken: at(r.seq, "hash mismatch", hex(expected), hex(r.hash)) };
      }
      prev = r.hash;
      expectedSeq = seq + 1n;
      count++;
    }
    if (batch.length < batchSize) break;
  }

  const lastSeq = expectedSeq - 1n;
  if (chain.headSeq === null) {
    return { summary: summary(), broken: at(lastSeq.toString(), "missing head", `a chain head at seq ${lastSeq}`, "no chain head") };
  }
  const headSeq = BigInt(chain.headSeq);
  if (lastSeq < headSeq) {
    return { summary: summary(), broken: at((lastSeq + 1n).toString(), "missing row", `rows up to seq ${headSeq} (chain head)`, `last row is seq ${lastSeq}`) };
  }
  if (!chain.headHash || !chain.headHash.equals(prev)) {
    return { summary: summary(), broken: at(headSeq.toString(), "head mismatch", hex(prev), hex(chain.headHash)) };
  }
  // Read in the same statement as the head: a row past it was not written
  // through the chain.
  if (chain.maxSeq !== null && BigInt(chain.maxSeq) > headSeq) {
    return { summary: summary(), broken: at((headSeq + 1n).toString(), "unexpected row", `no row after seq ${headSeq} (chain head)`, `rows up to seq ${chain.maxSeq}`) };
  }
  return { summary: summary() };
}

/**
 * Verifies every tenant's chain (or one tenant's, by slug), through the named
 * service-role path. Never throws for a broken chain: the report says where.
 */
export async function verifyAuditChains(opts: { tenantSlug?: string; batchSize?: number } = {}): Promise<VerifyReport> {
  const batchSize = opts.batchSize ?? 5000;
  return withServiceRole("audit.verify", async (db) => {
    // Heads first, with each chain's highest seq in the same statement (one
    // snapshot). A head never runs ahead of committed rows (both commit
    // together), so each chain is verified up to the head read here; rows
    // committed since are left for the next run.
    const chains = (await rowsOf(
      db,
      sql`select * from (
            select t.id::text as tenant_id, t.slug, t.path, h.seq::text as head_seq, h.hash as head_hash,
                   (select max(a.seq) from public.audit_log a where a.tenant_id = t.id)::text as max_seq
              from public.tenants t
              left join audit.chain_heads h on h.tenant_id = t.id
             where ${opts.tenantSlug ?? null}::text is null or t.slug = ${opts.tenantSlug ?? null}::text
          ) c
          where c.head_seq is not null or c.max_seq is not null
          order by c.path`,
    )) as { tenant_id: string; slug: string; head_seq: string | null; head_hash: Buffer | null; max_seq: string | null }[];

    const report: VerifyReport = { chains: [], rows: 0, breaks: [], ok: true };
    for (const c of chains) {
      const { summary, broken } = await verifyChain(
        db,
        { tenantId: c.tenant_id, tenantSlug: c.slug, headSeq: c.head_seq, headHash: c.head_hash, maxSeq: c.max_seq },
        batchSize,
      );
      report.chains.push(summary);
      report.rows += summary.rows;
      if (broken) report.breaks.push(broken);
    }
    report.ok = report.breaks.length === 0;
    return report;
  });
}

/** The report as the CLI prints it. */
export function formatVerifyReport(report: VerifyReport, opts: { heads?: boolean } = {}): string {
  const lines: string[] = [];
  const chains = report.chains.length;
  if (report.ok) {
    lines.push(`${chains} chain${chains === 1 ? "" : "s"}, ${report.rows} row${report.rows === 1 ? "" : "s"} verified, all intact`);
  } else {
    lines.push(`${report.breaks.length} of ${chains} chain${chains === 1 ? "" : "s"} BROKEN:`);
    for (const b of report.breaks) {
      lines.push(`  ${b.tenantSlug} (${b.tenantId}): first broken link at seq ${b.seq}: ${b.reason}`);
      lines.push(`    expected ${b.expected}`);
      lines.push(`    stored   ${b.stored}`);
    }
  }
  if (opts.heads) {
    lines.push("Chain heads (keep a copy outside the database to detect a full rewrite):");
    for (const c of report.chains) lines.push(`  ${c.tenantSlug} seq ${c.headSeq} ${c.headHash}`);
  }
  return lines.join("\n");
}
