// Which indexes the bench's work used (issue 13, point 7: "indexes chosen from measured plans, unused
// ones dropped").
//
// Postgres counts each index's scans (pg_stat_user_indexes.idx_scan). The bench takes a snapshot after
// the data is generated and another after every part has run, and prints, per table of the portal's
// schemas, the indexes no part of this run scanned. An index on that list is not dropped for that
// alone: the run does not exercise every path (a foreign key's cascade, an ON CONFLICT arbiter and a
// uniqueness check use an index without counting a scan), so each one is a question to answer from
// the code, and the answer is in docs/performance-indexes.md. The load bench (scripts/bench/load.ts)
// asks the same of its signed-in phases, for the pages' tables.
//
// Counts reach the statistics when a backend flushes them: at most once a second while it works and
// always when it exits. The caller closes its pools first; the snapshot then waits for the flush.
import pg from "pg";

export interface IndexScanCounts {
  /** schema.index -> scans so far. */
  scans: Map<string, number>;
}

interface IndexRow {
  name: string;
  table: string;
  scans: string;
  bytes: string;
  table_rows: string;
  constraint_kind: string | null;
  definition: string;
}

const INDEX_SQL = `
  select s.schemaname || '.' || s.indexrelname as name,
         s.schemaname || '.' || s.relname as table,
         s.idx_scan::text as scans,
         pg_relation_size(s.indexrelid)::text as bytes,
         greatest(c.reltuples, 0)::bigint::text as table_rows,
         (select k.contype::text from pg_constraint k where k.conindid = s.indexrelid limit 1) as constraint_kind,
         pg_get_indexdef(s.indexrelid) as definition
    from pg_stat_user_indexes s
    join pg_class c on c.oid = s.relid
   where s.schemaname not like 'graphile%' and s.schemaname <> 'pg_temp'`;

async function readIndexes(url: string): Promise<IndexRow[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Our own backend's pending counts are irrelevant; other backends' arrive when they flush.
    return (await client.query<IndexRow>(INDEX_SQL)).rows;
  } finally {
    await client.end();
  }
}

/** The scan counts now (after generating the data: its loads and ANALYZE are not the pages' work). */
export async function snapshotIndexScans(url: string): Promise<IndexScanCounts> {
  const rows = await readIndexes(url);
  return { scans: new Map(rows.map((r) => [r.name, Number(r.scans)])) };
}

/**
 * Lines for the report: every index of a table with at least `minRows` rows that no part scanned since
 * `before`, largest first, with what it enforces. Call after the pools are closed.
 */
export async function unusedIndexLines(
  url: string,
  before: IndexScanCounts,
  /** Only these tables (schema.table), whatever their size: the load bench's pages' tables. */
  opts: { minRows?: number; tables?: readonly string[] } = {},
): Promise<string[]> {
  const minRows = opts.tables ? 0 : (opts.minRows ?? 10_000);
  // Backends flush their counts within a second of going idle, and at once when they exit.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const rows = await readIndexes(url);
  const used = rows.filter((r) => Number(r.scans) > (before.scans.get(r.name) ?? 0)).length;
  const unused = rows
    .filter((r) => (opts.tables ? opts.tables.includes(r.table) : Number(r.table_rows) >= minRows))
    .filter((r) => Number(r.scans) === (before.scans.get(r.name) ?? 0))
    .sort((a, b) => Number(b.bytes) - Number(a.bytes));
  const where = opts.tables ? `on ${opts.tables.join(", ")}` : `on tables of ${minRows.toLocaleString("en-US")}+ rows`;
  const lines = [`${used} of ${rows.length} indexes scanned by this run; not scanned, ${where}:`];
  for (const r of unused) {
    const enforces = r.constraint_kind === "p" ? "primary key" : r.constraint_kind === "u" ? "unique constraint" : r.constraint_kind === "x" ? "exclusion constraint" : /^CREATE UNIQUE/.test(r.definition) ? "unique index" : null;
    const mib = (Number(r.bytes) / 1024 / 1024).toFixed(1);
    lines.push(`${r.name.padEnd(58)} ${mib.padStart(7)} MiB  ${enforces ? `(enforces a ${enforces})` : ""}`.trimEnd());
  }
  if (unused.length === 0) lines.push("(none)");
  return lines;
}
