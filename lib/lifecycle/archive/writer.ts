// How each section of an archive is written into this deployment (restore.ts
// drives it line by line). One writer per section; rows reach Postgres in
// bounded batches.
import type pg from "pg";
import { quoteIdent, TENANTS_TABLE, type TenantTable } from "@/lib/lifecycle/catalog";
import { ArchiveError } from "./errors";
import { Digest, RECOVERY_CODES, USER_MFA, USER_REFS, USERS } from "./format";
import { KeyImporter } from "./keys";
import { Batcher, insertBatch, insertSql, upsertClause } from "./rows";
import { AUDIT_LOG, CHAIN_HEADS, TENANT_KEYS, userColumns } from "./sections";
import { upgradedLinesSql, type ArchiveUpgrade } from "./upgrades";
import { forCreatedUsers, mappedUser, mfaRowForHere, restoreUserRefs, restoreUsers, userMapChanged, type UserReport } from "./users";

export interface SectionWriter {
  row(line: string): Promise<void>;
  /** A "dek" or "totp" record that follows a row of this section. */
  secret?(kind: "dek" | "totp", owner: string, version: number | undefined, wrapped: string): Promise<void>;
  end(): Promise<void>;
}

export interface WriterContext {
  client: Pick<pg.ClientBase, "query">;
  catalog: TenantTable[];
  /** The archive's columns per table (checkSchema). */
  columns: Map<string, string[]>;
  tenantIds: string[];
  rootId: string;
  parentId: string | null;
  /** Tenants whose audit chain is restored verbatim (empty here when the restore began). */
  auditChains: string[];
  keys: { dek: Buffer; totp: Buffer; mfaHere: Buffer | null };
  users: UserReport;
  written: Record<string, number>;
  /** Chain heads the archive holds, by tenant (to say whether a kept live chain contains the archive's). */
  archiveHeads: Map<string, { seq: number; hash: string }>;
  mapChanged?: boolean;
  /** Plan assignments left out: their MSSP's plan is not in this database (lib/billing). */
  skippedAssignments?: number;
  /** Upgrades this archive needs, by section (upgrades.ts). */
  upgrades: Map<string, ArchiveUpgrade[]>;
  /** Per upgraded section: the archive's rows as upgraded (what verification compares with) and how many changed. */
  upgraded: Map<string, { digest: Digest; changed: number }>;
  /** Alerts whose assignee group (lib/groups) is not usable here (an ancestor's outside the archive), restored without it. */
  clearedGroups?: number;
}

const count = (ctx: WriterContext, section: string, n: number) => (ctx.written[section] = (ctx.written[section] ?? 0) + n);

function batched(flush: (lines: string[]) => Promise<void>): SectionWriter {
  const batcher = new Batcher(flush);
  return { row: (line) => batcher.add(line), end: () => batcher.flush() };
}

/**
 * A catalog section's batches: inserted, then (for a section an older
 * archive holds in an older shape) each upgrade's afterBatch, and the rows as
 * upgraded digested in archive order for the verification.
 */
function tableWriter(ctx: WriterContext, table: TenantTable, unchecked: (lines: string[]) => Promise<number>): SectionWriter {
  const section = table.name;
  const insert = async (lines: string[]) => {
    await refuseOutsiders(ctx, table, lines);
    return unchecked(lines);
  };
  const upgrades = ctx.upgrades.get(section) ?? [];
  if (upgrades.length === 0) return batched(async (lines) => void count(ctx, section, await insert(lines)));
  const state = { digest: new Digest(), changed: 0 };
  ctx.upgraded.set(section, state);
  const linesSql = upgradedLinesSql(upgrades);
  return batched(async (lines) => {
    count(ctx, section, await insert(lines));
    const batch = `[${lines.join(",")}]`;
    for (const u of upgrades) if (u.afterBatch) await ctx.client.query(u.afterBatch, [batch]);
    const { rows } = await ctx.client.query<{ line: string; changed: boolean }>(linesSql, [batch]);
    for (const r of rows) {
      state.digest.add(r.line);
      if (r.changed) state.changed++;
    }
  });
}

/**
 * Refuses a batch holding a row of a tenant the archive does not list. The restore was authorized
 * for the header's tenants only, and it writes as the service role: a re-sealed archive (its
 * transfer key is the operator's choice) could otherwise add a membership to another MSSP, or
 * overwrite another tenant's row through the tenants upsert. A tenant row's parent must be one of
 * the archive's too (the root's is set by the restore), so nothing is hung under another tree.
 */
async function refuseOutsiders(ctx: WriterContext, table: TenantTable, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  const col = quoteIdent(table.tenantColumn);
  const parent = table.name === TENANTS_TABLE ? ` or (r.id <> $3::uuid and not coalesce(r.parent_id = any ($2::uuid[]), false))` : "";
  const { rows } = await ctx.client.query<{ n: number }>(
    `select count(*)::int as n from jsonb_array_elements($1::jsonb) e(v)
      cross join lateral jsonb_populate_record(null::${table.ident}, e.v) r
     where not coalesce(r.${col} = any ($2::uuid[]), false)${parent}`,
    [`[${lines.join(",")}]`, ctx.tenantIds, ...(parent ? [ctx.rootId] : [])],
  );
  if (rows[0].n > 0) {
    throw new ArchiveError("tampered", `${table.name} holds ${rows[0].n} row(s) of a tenant the archive does not list: nothing was restored`);
  }
}

const upgradeExprs = (ctx: WriterContext, section: string): Record<string, string> =>
  Object.assign({}, ...(ctx.upgrades.get(section) ?? []).map((u) => u.exprs ?? {}));

export const ALERTS = "public.alerts";
/**
 * An alert's group is of its tenant or an ancestor (lib/groups): the MSSP's
 * "Tier 1 SOC" is outside a customer's archive. Kept when that group exists
 * here above the alert's tenant (a restore in place), else cleared, so the
 * database's check and foreign key accept the row.
 */
const GROUP_USABLE = `exists (select 1 from public.assignee_groups g
    join public.tenants gt on gt.id = g.tenant_id join public.tenants at on at.id = r.tenant_id
   where g.tenant_id = r.assigned_group_tenant_id and g.id = r.assigned_group_id
     and gt.path operator(extensions.@>) at.path)`;
const ALERT_GROUP_KEPT: Record<string, string> = {
  assigned_group_tenant_id: `case when ${GROUP_USABLE} then r.assigned_group_tenant_id end`,
  assigned_group_id: `case when ${GROUP_USABLE} then r.assigned_group_id end`,
};

export const JOBS = "public.jobs";
export const BILLING_ASSIGNMENTS = "public.billing_plan_assignments";
const PLAN_HERE = "exists (select 1 from public.billing_plans p where p.tenant_id = r.plan_tenant_id and p.id = r.plan_id)";
export const NOT_RESUMED = "Not resumed: restored from an archive taken while it was unfinished";
/**
 * A job the archive caught unfinished is restored cancelled: resuming it here
 * could be harmful (an offboarding archive holds the very offboarding that
 * exported it, which would go on to shred and purge the tenant just
 * restored), and the job engine hands every queued or running row to a worker.
 */
const UNFINISHED = "r.status in ('queued', 'running')";
const UNFINISHED_JOBS_CANCELLED: Record<string, string> = {
  status: `case when ${UNFINISHED} then 'cancelled' else r.status end`,
  last_error: `case when ${UNFINISHED} then '${NOT_RESUMED}' else r.last_error end`,
  finished_at: `case when ${UNFINISHED} then coalesce(r.finished_at, now()) else r.finished_at end`,
};

export async function writerFor(ctx: WriterContext, section: string): Promise<SectionWriter> {
  const { client } = ctx;
  const columns = ctx.columns.get(section) ?? [];
  if (section === USERS) return batched((lines) => restoreUsers(client, columns, lines, ctx.users));
  if (section === USER_REFS) return batched((lines) => restoreUserRefs(client, lines, ctx.users));
  if (section === USER_MFA || section === RECOVERY_CODES) {
    const sql = insertSql({ ident: section === USER_MFA ? "public.user_mfa" : "public.user_recovery_codes", columns, filter: forCreatedUsers });
    const batcher = new Batcher(async (lines) => void count(ctx, section, await insertBatch(client, sql, lines)));
    if (section === RECOVERY_CODES) return { row: (line) => batcher.add(line), end: () => batcher.flush() };
    // A user_mfa row may be followed by its TOTP secret re-wrapped: hold it until the next line.
    let held: string | undefined;
    const release = async (wrapped?: string) => {
      if (held !== undefined) await batcher.add(mfaRowForHere(held, wrapped, { here: ctx.keys.mfaHere, archiveTotp: ctx.keys.totp }, ctx.users));
      held = undefined;
    };
    return {
      row: async (line) => {
        await release();
        held = line;
      },
      secret: async (kind, owner, _v, wrapped) => {
        if (kind !== "totp" || held === undefined || (JSON.parse(held) as { user_id: string }).user_id !== owner) {
          throw new ArchiveError("corrupt", "the archive holds a second-factor secret that no row announced");
        }
        await release(wrapped);
      },
      end: async () => {
        await release();
        await batcher.flush();
      },
    };
  }

  const table = ctx.catalog.find((t) => t.name === section);
  if (!table) throw new ArchiveError("corrupt", `the archive holds an unknown section ${section}`);
  if (section === TENANT_KEYS) {
    const importer = new KeyImporter(client, ctx.keys.dek);
    await importer.begin(ctx.tenantIds);
    return {
      row: (line) => importer.row(line),
      secret: async (kind, owner, version, wrapped) => {
        if (kind !== "dek" || version === undefined) throw new ArchiveError("corrupt", "the archive holds a secret out of place");
        await importer.dek(owner, version, wrapped);
      },
      end: async () => {
        importer.end();
        count(ctx, section, importer.imported);
      },
    };
  }
  if (section === CHAIN_HEADS) {
    // Maintained by the audit trigger as rows go in; kept to compare with a live chain.
    return {
      row: async (line) => {
        const h = JSON.parse(line) as { tenant_id: string; seq: number; hash: string };
        ctx.archiveHeads.set(h.tenant_id, { seq: h.seq, hash: h.hash });
      },
      end: async () => {},
    };
  }
  if (section === TENANTS_TABLE) {
    const cols = columns.filter((c) => c !== "path"); // the trigger derives it from the parent
    const sql = insertSql({
      ident: table.ident,
      columns: cols,
      exprs: { ...upgradeExprs(ctx, section), parent_id: "case when r.id = $2::uuid then $3::uuid else r.parent_id end" },
      onConflict: upsertClause(["id"], cols),
    });
    return tableWriter(ctx, table, (lines) => insertBatch(client, sql, lines, [ctx.rootId, ctx.parentId]));
  }
  if (section === AUDIT_LOG) {
    // Only chains that were empty here; a live chain is kept (restore.ts appends tenant.restored).
    const sql = insertSql({ ident: table.ident, columns, filter: "r.tenant_id = any ($2::uuid[])" });
    return batched(async (lines) => void count(ctx, section, await insertBatch(client, sql, lines, [ctx.auditChains])));
  }
  ctx.mapChanged ??= await userMapChanged(client);
  const exprs: Record<string, string> = upgradeExprs(ctx, section);
  let filter: string | undefined;
  if (ctx.mapChanged) {
    const mapped = userColumns([table]).map(([, c]) => c);
    Object.assign(exprs, Object.fromEntries(mapped.map((c) => [c, mappedUser(c)])));
    // A row that cannot exist without its user (a group membership of someone not here) is left out.
    const required = mapped.filter((c) => table.columns.find((col) => col.name === c)?.notNull);
    if (required.length) filter = required.map((c) => `${mappedUser(c)} is not null`).join(" and ");
  }
  if (section === JOBS && ["status", "last_error", "finished_at"].every((c) => columns.includes(c))) Object.assign(exprs, UNFINISHED_JOBS_CANCELLED);
  // A customer's plan assignment names its MSSP's plan, which is outside the customer's archive:
  // kept when that plan exists here (a restore in place), else left out (lib/billing).
  const assignments = section === BILLING_ASSIGNMENTS;
  if (assignments) filter = filter ? `(${filter}) and ${PLAN_HERE}` : PLAN_HERE;
  const groups = section === ALERTS && columns.includes("assigned_group_id");
  if (groups) Object.assign(exprs, ALERT_GROUP_KEPT);
  const sql = insertSql({ ident: table.ident, columns, exprs, filter, overriding: table.columns.some((c) => c.identity === "a") });
  const cleared = `select count(*)::int as n from jsonb_array_elements($1::jsonb) e(v)
    cross join lateral jsonb_populate_record(null::${table.ident}, e.v) r where r.assigned_group_id is not null and not ${GROUP_USABLE}`;
  const skipped = `select count(*)::int as n from jsonb_array_elements($1::jsonb) e(v)
    cross join lateral jsonb_populate_record(null::${table.ident}, e.v) r where not ${PLAN_HERE}`;
  return tableWriter(ctx, table, async (lines) => {
    if (assignments) ctx.skippedAssignments = (ctx.skippedAssignments ?? 0) + (await client.query<{ n: number }>(skipped, [`[${lines.join(",")}]`])).rows[0].n;
    if (groups) ctx.clearedGroups = (ctx.clearedGroups ?? 0) + (await client.query<{ n: number }>(cleared, [`[${lines.join(",")}]`])).rows[0].n;
    return insertBatch(client, sql, lines);
  });
}
