// The tenant-scoped tables, found from the Postgres catalog rather than
// listed by hand, so a table a later migration adds is exported, restored and
// purged without anyone remembering to register it (issue 8, points 4 and 6).
//
// A table is tenant-scoped when it lives in a non-system schema (not pg_*,
// information_schema or graphile_worker, whose jobs are the queue's own) and
// has a `tenant_id` column; public.tenants itself is scoped by `id`. Tables
// come parents first along the foreign keys between them (children first for
// deletes). Everything here reads pg_catalog, which every role may read, so it
// works under service_role as well as for the owner.
import type pg from "pg";

type Queryable = Pick<pg.ClientBase, "query">;

export interface CatalogColumn {
  name: string;
  /** format_type(), e.g. "uuid", "timestamp with time zone". */
  type: string;
  notNull: boolean;
  hasDefault: boolean;
  /** A generated column: never written. */
  generated: boolean;
  /** "a" (always) or "d" (by default) for identity columns, else "". */
  identity: string;
}

export interface CatalogForeignKey {
  columns: string[];
  /** "schema.table" of the referenced table (catalog or not). */
  references: string;
  referencedColumns: string[];
}

export interface TenantTable {
  /** "schema.table", unquoted: the key used in archives and reports. */
  name: string;
  /** The quoted identifier to put in SQL. */
  ident: string;
  /** The column that names the tenant: "tenant_id", or "id" for public.tenants. */
  tenantColumn: string;
  columns: CatalogColumn[];
  primaryKey: string[];
  foreignKeys: CatalogForeignKey[];
}

export const TENANTS_TABLE = "public.tenants";
/**
 * Never deleted by deleteTenantRows: the audit trail is append-only (a trigger
 * refuses DELETE for every role) and outlives the tenant, whose row stays as a
 * tombstone; chain_heads is the chain's last link, which audit:verify needs to
 * notice rows missing from the end.
 */
export const ALWAYS_KEPT = ["public.audit_log", "audit.chain_heads"] as const;

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const TENANT_SCOPED = `
  n.nspname not in ('information_schema', 'graphile_worker') and n.nspname not like 'pg\\_%'
  and (c.oid = pg_catalog.to_regclass('public.tenants')
       or exists (select 1 from pg_catalog.pg_attribute a
                   where a.attrelid = c.oid and a.attname = 'tenant_id' and a.attnum > 0 and not a.attisdropped))`;

const CATALOG_SQL = `
  with t as (
    select c.oid, n.nspname, c.relname
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and not c.relispartition and $TABLES)
  select t.nspname as schema, t.relname as table,
         (select json_agg(json_build_object('name', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                   'notNull', a.attnotnull, 'hasDefault', a.atthasdef, 'generated', a.attgenerated <> '',
                   'identity', a.attidentity::text) order by a.attnum)
            from pg_catalog.pg_attribute a where a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped) as columns,
         coalesce((select json_agg(a.attname order by k.ord)
            from pg_catalog.pg_index i
            cross join lateral unnest(i.indkey) with ordinality k(attnum, ord)
            join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
           where i.indrelid = t.oid and i.indisprimary), '[]') as primary_key,
         coalesce((select json_agg(json_build_object(
                   'columns', (select json_agg(a.attname order by k.ord) from unnest(f.conkey) with ordinality k(attnum, ord)
                                 join pg_catalog.pg_attribute a on a.attrelid = f.conrelid and a.attnum = k.attnum),
                   'references', rn.nspname || '.' || r.relname,
                   'referencedColumns', (select json_agg(a.attname order by k.ord) from unnest(f.confkey) with ordinality k(attnum, ord)
                                 join pg_catalog.pg_attribute a on a.attrelid = f.confrelid and a.attnum = k.attnum))
                   order by f.conname)
            from pg_catalog.pg_constraint f
            join pg_catalog.pg_class r on r.oid = f.confrelid
            join pg_catalog.pg_namespace rn on rn.oid = r.relnamespace
           where f.conrelid = t.oid and f.contype = 'f'), '[]') as foreign_keys
    from t order by 1, 2`;

type CatalogRow = { schema: string; table: string; columns: CatalogColumn[]; primary_key: string[]; foreign_keys: CatalogForeignKey[] };

/** Every tenant-scoped table, parents first along the foreign keys between them. */
export async function loadTenantCatalog(client: Queryable): Promise<TenantTable[]> {
  const { rows } = await client.query<CatalogRow>(CATALOG_SQL.replace("$TABLES", TENANT_SCOPED));
  return parentsFirst(rows.map(toTable));
}

/** The account tables an archive carries for the members it names (not tenant-scoped: a user may belong to several tenants). */
export const USER_TABLES = ["public.users", "public.user_mfa", "public.user_recovery_codes"] as const;

export async function loadUserTables(client: Queryable): Promise<TenantTable[]> {
  const { rows } = await client.query<CatalogRow>(
    CATALOG_SQL.replace("$TABLES", `c.oid = any (array[${USER_TABLES.map((t) => `pg_catalog.to_regclass('${t}')`).join(", ")}])`),
  );
  return rows.map(toTable);
}

function toTable(r: CatalogRow): TenantTable {
  const name = `${r.schema}.${r.table}`;
  return {
    name,
    ident: `${quoteIdent(r.schema)}.${quoteIdent(r.table)}`,
    tenantColumn: name === TENANTS_TABLE ? "id" : "tenant_id",
    columns: r.columns,
    primaryKey: r.primary_key,
    foreignKeys: r.foreign_keys,
  };
}

/**
 * Topological order (Kahn), ties broken by name so every deployment with the
 * same schema gets the same order. Self-references (tenants.parent_id) do not
 * order tables; a cycle between tables is reported rather than guessed at.
 */
export function parentsFirst(tables: TenantTable[]): TenantTable[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const parents = new Map(
    tables.map((t) => [t.name, new Set(t.foreignKeys.map((f) => f.references).filter((p) => p !== t.name && byName.has(p)))]),
  );
  const ordered: TenantTable[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const ready = tables
      .filter((t) => !placed.has(t.name) && [...parents.get(t.name)!].every((p) => placed.has(p)))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    if (ready.length === 0) {
      const stuck = tables.filter((t) => !placed.has(t.name)).map((t) => t.name);
      throw new Error(`foreign keys form a cycle between tenant-scoped tables: ${stuck.join(", ")}`);
    }
    for (const t of ready) {
      ordered.push(t);
      placed.add(t.name);
    }
  }
  return ordered;
}

export const childrenFirst = (catalog: TenantTable[]) => [...catalog].reverse();

function checkIds(tenantIds: readonly string[]): string[] {
  const ids = [...new Set(tenantIds)];
  for (const id of ids) if (!UUID.test(id)) throw new Error(`not a tenant id: ${JSON.stringify(id)}`);
  return ids;
}

export interface DeleteOptions {
  /** Most rows deleted by one call (across tables); default 5,000. Keep it small in a purge so each transaction is short. */
  batchSize?: number;
  /** Tables to keep besides ALWAYS_KEPT, as "schema.table". */
  keep?: readonly string[];
  /** A catalog already loaded in this transaction. */
  catalog?: TenantTable[];
  /**
   * Rows to keep in some tables, as "schema.table" → an SQL condition on the row (the table is
   * aliased `k`): e.g. an offboarding keeps finalized invoices (OFFBOARD_KEPT_ROWS).
   */
  keepRows?: Readonly<Record<string, string>>;
}

/**
 * What an offboarding keeps of a tenant besides the audit trail: its finalized invoices and their
 * lines, the record billing law requires (kept for years; a trigger refuses to delete them while
 * the tenant row exists, 20261201014000); and, for every UTC month still to be invoiced
 * (billing.month_unbilled, 20261201032000: a plan of the customer's MSSP covers it and its invoice
 * is not finalized), what that invoice needs: the usage events, rollups and API minute counts, the
 * plan assignments and the month's draft. Metering and billing only, nothing of the tenant's alerts.
 * The monthly billing job removes the usage, drafts and assignments once their months are finalized
 * (lib/billing/offboarded.ts). Credit-note drafts and the usage of a month no plan bills go.
 */
const unbilledDraft = (i: string) => `${i}.kind = 'invoice' and billing.month_unbilled(${i}.tenant_id, ${i}.period_start)`;
export const OFFBOARD_KEPT_ROWS: Readonly<Record<string, string>> = {
  "public.billing_invoices": `k.status = 'finalized' or (${unbilledDraft("k")})`,
  "public.billing_invoice_lines": `exists (select 1 from public.billing_invoices i where i.tenant_id = k.tenant_id and i.id = k.invoice_id and (i.status = 'finalized' or (${unbilledDraft("i")})))`,
  "public.billing_plan_assignments": "billing.assignment_unbilled(k.tenant_id, k.starts_on, k.ends_on)",
  "public.usage_events": "billing.month_unbilled(k.tenant_id, (k.occurred_at at time zone 'UTC')::date)",
  "public.usage_rollups": "billing.month_unbilled(k.tenant_id, (k.period_start at time zone 'UTC')::date)",
  "usage.api_request_counts": "billing.month_unbilled(k.tenant_id, (k.minute at time zone 'UTC')::date)",
};

/** The tables deleteTenantRows empties, in the order it empties them. */
export function purgedTables(catalog: TenantTable[], keep: readonly string[] = []): TenantTable[] {
  const kept = new Set<string>([...ALWAYS_KEPT, ...keep, TENANTS_TABLE]);
  return childrenFirst(catalog).filter((t) => !kept.has(t.name));
}

/**
 * Deletes up to `batchSize` rows of the given tenants, children first, and
 * returns how many it deleted: call it again (each call in a short
 * transaction of its own, if you like) until it returns 0. Resumable by
 * construction: each call starts again from the first child table, and tables
 * already emptied cost one index probe. The tenants rows themselves stay
 * (tombstones), and so do ALWAYS_KEPT and `keep`. A table the role may not
 * delete from fails loudly (42501) rather than being skipped.
 */
export async function deleteTenantRows(client: Queryable, tenantIds: readonly string[], opts: DeleteOptions = {}): Promise<number> {
  const ids = checkIds(tenantIds);
  const batchSize = opts.batchSize ?? 5000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error("batchSize must be a positive integer");
  if (ids.length === 0) return 0;
  const catalog = opts.catalog ?? (await loadTenantCatalog(client));
  let budget = batchSize;
  for (const t of purgedTables(catalog, opts.keep)) {
    while (budget > 0) {
      const n = await deleteBatch(client, t, ids, budget, opts.keepRows?.[t.name]);
      budget -= n;
      if (n === 0) break;
    }
    if (budget <= 0) break;
  }
  return batchSize - budget;
}

/**
 * Tables whose rows only their module's functions delete: a tenant's key rows
 * go through keyring.purge_tenant_keys (20261130000400), which refuses unless
 * the tenant is being offboarded and its keys were crypto-shredded first.
 */
const DELETED_BY_FUNCTION: Record<string, string> = {
  "keyring.tenant_keys": "select coalesce(sum(keyring.purge_tenant_keys(t)), 0)::int as n from unnest($1::uuid[]) t",
};

async function deleteBatch(client: Queryable, t: TenantTable, ids: string[], limit: number, kept?: string): Promise<number> {
  const viaFunction = DELETED_BY_FUNCTION[t.name];
  if (viaFunction) {
    // A tenant has a handful of key versions: no batching needed.
    const { rows } = await client.query<{ n: number }>(viaFunction, [ids]);
    return rows[0].n;
  }
  const where = `k.${quoteIdent(t.tenantColumn)} = any ($1::uuid[])${kept ? ` and not (${kept})` : ""}`;
  // By primary key where there is one (a partitioned table's ctid is not
  // unique across partitions); by ctid otherwise.
  const key = t.primaryKey.map(quoteIdent).join(", ");
  const sql = key
    ? `delete from ${t.ident} where (${key}) in (select ${t.primaryKey.map((c) => `k.${quoteIdent(c)}`).join(", ")} from ${t.ident} k where ${where} limit $2)`
    : `delete from ${t.ident} where ctid = any (array(select k.ctid from ${t.ident} k where ${where} limit $2))`;
  const result = await client.query(sql, [ids, limit]);
  return result.rowCount ?? 0;
}

/** Tables the service role may not read directly: counted through their module's definer functions. */
const COUNTED_BY_FUNCTION: Record<string, string> = {
  "keyring.tenant_keys": "select count(*) as n from unnest($1::uuid[]) t, keyring.key_status(t)",
};

/** Rows per tenant-scoped table for the given tenants (tables with none included, as 0). */
export async function countTenantRows(
  client: Queryable,
  tenantIds: readonly string[],
  catalog?: TenantTable[],
  /** Rows not counted (DeleteOptions.keepRows): what a purge will leave. */
  keepRows?: Readonly<Record<string, string>>,
): Promise<Record<string, number>> {
  const ids = checkIds(tenantIds);
  const out: Record<string, number> = {};
  for (const t of catalog ?? (await loadTenantCatalog(client))) {
    const kept = keepRows?.[t.name];
    const { rows } = await client.query<{ n: string }>(
      COUNTED_BY_FUNCTION[t.name] ??
        `select count(*) as n from ${t.ident} k where k.${quoteIdent(t.tenantColumn)} = any ($1::uuid[])${kept ? ` and not (${kept})` : ""}`,
      [ids],
    );
    out[t.name] = Number(rows[0].n);
  }
  return out;
}
