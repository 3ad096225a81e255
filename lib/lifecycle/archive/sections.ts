// What an archive reads for each section, as canonical row lines in key
// order (format.ts). One definition serves the export, the checksums a
// restore recomputes from what it wrote, and the comparison of two exports.
// Every query takes $1 = the archive's tenant ids and $2 = its root tenant.
import type pg from "pg";
import { quoteIdent, TENANTS_TABLE, type TenantTable } from "@/lib/lifecycle/catalog";
import { Digest, RECOVERY_CODES, USER_MFA, USER_REFS, USERS, type SectionDigest } from "./format";

type Queryable = Pick<pg.ClientBase, "query">;

export const TENANT_KEYS = "keyring.tenant_keys";
export const AUDIT_LOG = "public.audit_log";
export const CHAIN_HEADS = "audit.chain_heads";

export interface Section {
  name: string;
  /** Selects `line` (the canonical text) first, then whatever the writer needs. */
  sql: string;
}

/**
 * A table's section. `omit`: columns left out of each line, for comparing
 * with an archive taken before they were added (restore.ts verification).
 */
function tableSection(t: TenantTable, omit: string[] = []): Section {
  const col = quoteIdent(t.tenantColumn);
  const drop = omit.length ? ` - array[${omit.map((c) => `'${c.replace(/'/g, "''")}'`).join(", ")}]::text[]` : "";
  if (t.name === TENANTS_TABLE) {
    // Placement is not content: the root's parent and every absolute path
    // depend on where the subtree hangs, so the root's parent_id is written
    // as null and path (derived by a trigger from parent and slug) is left
    // out. Parents first, so a restore can insert in this order.
    return {
      name: t.name,
      sql: `select ((to_jsonb(t) - 'path' || jsonb_build_object('parent_id',
                     case when t.id = $2::uuid then null else t.parent_id end))${drop})::text as line
              from public.tenants t where t.id = any ($1::uuid[])
             order by extensions.nlevel(t.path), t.id`,
    };
  }
  if (t.name === TENANT_KEYS) {
    // No material and nothing about the KEK (it differs per deployment); the
    // DEK itself travels in a "dek" record wrapped under the transfer key.
    return {
      name: t.name,
      sql: `select jsonb_build_object('tenant_id', u.id, 'version', k.version, 'status', k.status,
                     'created_at', k.created_at, 'retired_at', k.retired_at)::text as line,
                   u.id::text as tenant_id, k.version, k.status
              from unnest($1::uuid[]) u(id) cross join lateral keyring.key_status(u.id) k
             where $2::uuid is not null
             order by u.id, k.version`,
    };
  }
  const order = t.primaryKey.length > 0 ? t.primaryKey.map((c) => `t.${quoteIdent(c)}`).join(", ") : "1";
  return {
    name: t.name,
    sql: `select (to_jsonb(t)${drop})::text as line from ${t.ident} t where t.${col} = any ($1::uuid[]) and $2::uuid is not null order by ${order}`,
  };
}

export const catalogSections = (catalog: TenantTable[]): Section[] => catalog.map((t) => tableSection(t));

/** The section as an archive with only these columns reads it: columns added here since are left out. */
export function sectionAsArchived(t: TenantTable, archiveColumns: readonly string[]): Section {
  if (t.name === TENANT_KEYS) return tableSection(t);
  return tableSection(t, t.columns.map((c) => c.name).filter((c) => !archiveColumns.includes(c)));
}

/** Columns of tenant-scoped tables that reference public.users(id), as [table, column]. */
export function userColumns(catalog: TenantTable[]): [TenantTable, string][] {
  return catalog.flatMap((t) =>
    t.foreignKeys.filter((f) => f.references === "public.users" && f.columns.length === 1).map((f) => [t, f.columns[0]] as [TenantTable, string]),
  );
}

/**
 * Every user the tenants' rows name; `member` when a membership of the subtree names them and none
 * outside it does. An account that also belongs to other tenants is theirs as much as this subtree's:
 * its password hash and second factor never leave in this subtree's archive (whoever holds the
 * transfer key could attack them offline), and a restore finds it by id or email, or asks for an
 * invitation (its memberships are skipped where it is not).
 */
function referencedUsers(catalog: TenantTable[]): string {
  const parts = userColumns(catalog).map(
    ([t, c]) =>
      `select t.${quoteIdent(c)} as id, ${t.name === "public.memberships" && c === "user_id"} as member
         from ${t.ident} t where t.${quoteIdent(t.tenantColumn)} = any ($1::uuid[]) and t.${quoteIdent(c)} is not null`,
  );
  return `refs as (select r.id, bool_or(r.member) and not exists (
                     select 1 from public.memberships o where o.user_id = r.id and o.tenant_id <> all ($1::uuid[])) as member
                     from (${parts.join(" union all ") || "select null::uuid as id, false as member"}) r group by r.id)`;
}

/**
 * Members of the subtree alone get their whole account (password hash, second
 * factor, recovery codes: what they need to sign in after a move); users named
 * only by a column such as alerts.assigned_to, and members who also belong to
 * tenants outside the subtree, get their id and email, so a restore can find
 * them by email or clear the reference.
 */
export function userSections(catalog: TenantTable[]): Section[] {
  const refs = referencedUsers(catalog);
  const members = `(select id from refs where member)`;
  return [
    { name: USERS, sql: `with ${refs} select to_jsonb(u)::text as line from public.users u where u.id in ${members} and $2::uuid is not null order by u.id` },
    {
      name: USER_REFS,
      sql: `with ${refs} select jsonb_build_object('id', u.id, 'email', u.email)::text as line
              from public.users u join refs on refs.id = u.id where not refs.member and $2::uuid is not null order by u.id`,
    },
    {
      name: USER_MFA,
      sql: `with ${refs} select to_jsonb(f)::text as line, f.user_id::text as user_id, f.totp_secret
              from public.user_mfa f where f.user_id in ${members} and $2::uuid is not null order by f.user_id`,
    },
    {
      name: RECOVERY_CODES,
      sql: `with ${refs} select to_jsonb(c)::text as line from public.user_recovery_codes c
             where c.user_id in ${members} and $2::uuid is not null order by c.user_id, c.code_hash`,
    },
  ];
}

let cursors = 0;

/** The section's rows through a server-side cursor: memory stays flat whatever the table's size. */
export async function* readSection<R extends { line: string }>(
  client: Queryable,
  section: Section,
  ids: string[],
  rootId: string,
  batch = 2000,
): AsyncGenerator<R> {
  const name = `archive_cursor_${++cursors}`;
  await client.query(`declare ${name} no scroll cursor for ${section.sql}`, [ids, rootId]);
  try {
    for (;;) {
      const { rows } = await client.query<R>(`fetch ${batch} from ${name}`);
      for (const row of rows) yield row;
      if (rows.length < batch) break;
    }
  } finally {
    await client.query(`close ${name}`).catch(() => {});
  }
}

export async function digestSection(client: Queryable, section: Section, ids: string[], rootId: string): Promise<SectionDigest> {
  const digest = new Digest();
  for await (const row of readSection(client, section, ids, rootId)) digest.add(row.line);
  return digest.done();
}
