// How an archive taken on an older schema is carried into this one.
//
// Restoring an offboarded customer's archive is the point of exporting it,
// and it may be restored months and several migrations later. Most schema
// changes need nothing here: a column added later takes its default, a table
// added later is simply empty, except a rollup the triggers derive from alerts
// and assets, which is rebuilt from the restored rows (derived.ts). A change
// that drops or renames what an archive holds needs an entry below, saying
// how the old rows mean the same thing today. The list is closed and
// explicit: a column the archive holds that this deployment no longer has,
// and that no entry covers, is refused by checkSchema (plan.ts) rather than
// silently lost.
//
// Each entry is applied by the section writer (writer.ts): `exprs` rewrite
// columns in the insert, `afterBatch` writes what a dropped column meant
// elsewhere. `line` says what each archive row looks like once carried over,
// so the restore's verification compares what was written with the archive's
// rows as upgraded (restore.ts), not with rows no schema here can hold.
import type { TenantTable } from "@/lib/lifecycle/catalog";
import type { ArchiveHead } from "./format";

export interface ArchiveUpgrade {
  /** Stable name, reported in the restore's result. */
  id: string;
  /** The migration that made it necessary. */
  migration: string;
  /** The section (table) it applies to. */
  table: string;
  /** For the operator: what happens to the old rows. */
  description: string;
  /** Columns the archive holds that this deployment dropped, which this entry carries over. */
  dropped: string[];
  /** Whether the archive (its columns for `table`) predates the change and this deployment has it. */
  applies(archiveColumns: string[], here: Map<string, TenantTable>): boolean;
  /** SQL replacing r.<column> in the section's insert (row alias r, as rows.ts builds it). */
  exprs?: Record<string, string>;
  /**
   * SQL run after each batch of the section is inserted, $1 = the batch as a
   * jsonb array of archive rows (the parents' rows exist by then).
   */
  afterBatch?: string;
  /** A jsonb expression over `v` (an archive row): the row as this schema holds it once restored. */
  line: string;
}

const hasColumn = (t: TenantTable | undefined, c: string) => t?.columns.some((x) => x.name === c) ?? false;

export const ARCHIVE_UPGRADES: readonly ArchiveUpgrade[] = [
  {
    id: "tenants.require_mfa",
    migration: "20261201001000_tenant_settings",
    table: "public.tenants",
    description: "require_mfa = true became the tenant's own session.mfa_required setting; false wrote nothing (the tenant inherits)",
    dropped: ["require_mfa"],
    applies: (cols, here) => cols.includes("require_mfa") && !hasColumn(here.get("public.tenants"), "require_mfa") && here.has("public.tenant_settings"),
    // As the migration converted live tenants and as lib/settings writes a
    // value set at a tenant: not locked, nobody named. With the service
    // role, settings.refuse_under_lock lets it in below an ancestor's lock,
    // which then overrules it (settings.resolve), exactly as for a
    // tenant_settings row a newer archive carries: the restore does not fail
    // on a setting, and the value applies again if that lock is lifted. No
    // "off" below needs clearing (what setSettingValue does for this
    // tighten-only key): an archive this old holds no settings, and
    // planRestore refuses tenants below the root that the archive lacks.
    afterBatch: `
      insert into public.tenant_settings (tenant_id, key, value, locked, changed_by, changed_at)
      select (e.v->>'id')::uuid, 'session.mfa_required', 'true'::jsonb, false, null, now()
        from jsonb_array_elements($1::jsonb) e(v)
       where e.v->'require_mfa' = 'true'::jsonb
      on conflict (tenant_id, key) do update set value = excluded.value, changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
    line: `v - 'require_mfa'`,
  },
  {
    id: "alerts.status-investigating",
    migration: "20261201002000_alert_triage",
    table: "public.alerts",
    description: "status investigating became in_progress (same meaning)",
    dropped: [],
    // acknowledged_at came with the same migration: an archive without it predates the rename.
    applies: (cols, here) => cols.includes("status") && !cols.includes("acknowledged_at") && hasColumn(here.get("public.alerts"), "acknowledged_at"),
    exprs: { status: "case when r.status = 'investigating' then 'in_progress' else r.status end" },
    line: `case when v->>'status' = 'investigating' then jsonb_set(v, '{status}', '"in_progress"'::jsonb) else v end`,
  },
];

/** The upgrades this archive needs to be restored here, by table. */
export function upgradesFor(head: ArchiveHead, here: TenantTable[]): Map<string, ArchiveUpgrade[]> {
  const byName = new Map(here.map((t) => [t.name, t]));
  const out = new Map<string, ArchiveUpgrade[]>();
  for (const table of head.tables) {
    const list = ARCHIVE_UPGRADES.filter((u) => u.table === table.name && u.applies(table.columns, byName));
    if (list.length) out.set(table.name, list);
  }
  return out;
}

/** The SQL giving each archive row of a batch ($1) as restored, in order, and whether the upgrades changed it. */
export function upgradedLinesSql(upgrades: ArchiveUpgrade[]): string {
  const expr = upgrades.reduce((acc, u) => `(select ${u.line} from (select ${acc} as v) x)`, "e.v");
  return `select u.line::text as line, u.line is distinct from e.v as changed
            from jsonb_array_elements($1::jsonb) with ordinality e(v, n)
            cross join lateral (select ${expr} as line) u
           order by e.n`;
}
