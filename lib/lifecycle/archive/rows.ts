// Writing archive rows back: a batch of canonical row lines goes to Postgres
// as ONE jsonb array parameter and is expanded there with
// jsonb_populate_record, so each value is parsed by the column's own type
// (a bigint, a numeric, a timestamp keeps every digit; Node never parses a
// row). Rows are inserted in archive order (parents before children within
// public.tenants).
import type pg from "pg";
import { quoteIdent } from "@/lib/lifecycle/catalog";

type Queryable = Pick<pg.ClientBase, "query">;

export interface InsertShape {
  /** Quoted target table. */
  ident: string;
  /** The archive's columns for this table (every one exists here; checked by checkSchema). */
  columns: string[];
  /** SQL replacing `r.<column>` for some columns (user ids mapped, the root's parent). */
  exprs?: Record<string, string>;
  /** Extra condition on `r` (only rows of some tenants, only new users). */
  filter?: string;
  /** e.g. "on conflict (id) do update set …". */
  onConflict?: string;
  /** Identity columns that are GENERATED ALWAYS take the archive's values. */
  overriding?: boolean;
}

export function insertSql(shape: InsertShape): string {
  const cols = shape.columns.map(quoteIdent);
  const values = shape.columns.map((c) => shape.exprs?.[c] ?? `r.${quoteIdent(c)}`);
  return `insert into ${shape.ident} as target (${cols.join(", ")})${shape.overriding ? " overriding system value" : ""}
    select ${values.join(", ")}
      from jsonb_array_elements($1::jsonb) with ordinality e(v, n)
      cross join lateral jsonb_populate_record(null::${shape.ident}, e.v) r
     ${shape.filter ? `where ${shape.filter}` : ""}
     order by e.n
    ${shape.onConflict ?? ""}`;
}

/** "on conflict (…) do update set" every column but the key, from the archive. */
export function upsertClause(key: string[], columns: string[]): string {
  const set = columns.filter((c) => !key.includes(c)).map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`);
  return `on conflict (${key.map(quoteIdent).join(", ")}) do update set ${set.join(", ")}`;
}

export async function insertBatch(client: Queryable, sql: string, lines: string[], params: unknown[] = []): Promise<number> {
  if (lines.length === 0) return 0;
  const result = await client.query(sql, [`[${lines.join(",")}]`, ...params]);
  return result.rowCount ?? 0;
}

const MAX_ROWS = 2000;
const MAX_CHARS = 4 * 1024 * 1024;

/** Collects row lines and hands them over in bounded batches (rows and bytes), so memory stays flat. */
export class Batcher {
  private lines: string[] = [];
  private chars = 0;
  constructor(private readonly flushFn: (lines: string[]) => Promise<void>) {}

  async add(line: string) {
    this.lines.push(line);
    this.chars += line.length;
    if (this.lines.length >= MAX_ROWS || this.chars >= MAX_CHARS) await this.flush();
  }

  async flush() {
    if (this.lines.length === 0) return;
    const lines = this.lines;
    this.lines = [];
    this.chars = 0;
    await this.flushFn(lines);
  }
}
