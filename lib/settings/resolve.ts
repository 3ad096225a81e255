// Effective values: one SQL call (settings.effective, migration
// 20261201001000) answers every key set at a tenant or above it, for one
// tenant or many; the registry fills in defaults for the rest. Under a
// caller's withTenant the function answers only for tenants the caller can
// see; the service-role variant (provisioning, background work that already
// crossed tenants by design) reads settings.resolve directly.
import { isRenderTransaction } from "@/lib/db/render-transaction";
import type { Db, TenantTx } from "@/lib/db/with-tenant";
import { SETTINGS, settingDefinition, type SettingDefinition } from "./registry";

/** Where an effective value comes from. */
export type SettingSource = "default" | "here" | "inherited";

export interface EffectiveSetting {
  key: string;
  definition: SettingDefinition;
  value: unknown;
  source: SettingSource;
  /** The tenant holding the value (null for the default). */
  sourceTenantId: string | null;
  sourceName: string | null;
  /** Set here and locked: the tenants below cannot change it. */
  lockedHere: boolean;
  /** Locked at an ancestor: cannot be set here. Who locked it, by tenant and person. */
  lockedBy: { tenantId: string; tenantName: string; who: string } | null;
  changedBy: string | null;
  changedAt: Date | null;
  /**
   * The stored value no longer passes the registry (a bound narrowed, a time
   * zone retired): the default applies until someone sets it again.
   */
  storedInvalid: boolean;
}

export interface EffectiveConfig {
  tenantId: string;
  settings: EffectiveSetting[];
  /** The effective setting of `key` (throws on a key the registry does not know: a programming error). */
  get(key: string): EffectiveSetting;
  /** Its value, typed by the caller: value<number>("sla.high.ack_minutes"). */
  value<T>(key: string): T;
}

interface ResolvedRow {
  tenant_id: string;
  key: string;
  value: unknown;
  source_tenant_id: string;
  source_name: string;
  locked: boolean;
  locked_above: boolean;
  changed_by_name: string | null;
  changed_at: Date;
}

const COLUMNS = "tenant_id, key, value, source_tenant_id, source_name, locked, locked_above, changed_by_name, changed_at";

function defaultOf(definition: SettingDefinition): EffectiveSetting {
  return {
    key: definition.key,
    definition,
    value: definition.default,
    source: "default",
    sourceTenantId: null,
    sourceName: null,
    lockedHere: false,
    lockedBy: null,
    changedBy: null,
    changedAt: null,
    storedInvalid: false,
  };
}

function fromRow(definition: SettingDefinition, row: ResolvedRow): EffectiveSetting {
  const parsed = definition.schema.safeParse(row.value);
  const here = row.source_tenant_id === row.tenant_id;
  const lockedBy = row.locked_above ? { tenantId: row.source_tenant_id, tenantName: row.source_name, who: row.changed_by_name ?? "unknown" } : null;
  return {
    key: definition.key,
    definition,
    value: parsed.success ? parsed.data : definition.default,
    source: here ? "here" : "inherited",
    sourceTenantId: row.source_tenant_id,
    sourceName: row.source_name,
    lockedHere: here && row.locked,
    lockedBy,
    changedBy: row.changed_by_name,
    changedAt: row.changed_at ? new Date(row.changed_at) : null,
    storedInvalid: !parsed.success,
  };
}

function configOf(tenantId: string, rows: ResolvedRow[]): EffectiveConfig {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const settings = SETTINGS.map((d) => {
    const row = byKey.get(d.key);
    return row ? fromRow(d, row) : defaultOf(d);
  });
  const index = new Map(settings.map((s) => [s.key, s]));
  const get = (key: string) => {
    const s = index.get(key);
    if (!s) throw new Error(`unknown setting ${key}`);
    return s;
  };
  return { tenantId, settings, get, value: <T>(key: string) => get(key).value as T };
}

function group(tenantIds: readonly string[], rows: ResolvedRow[]): Map<string, EffectiveConfig> {
  const per = new Map<string, ResolvedRow[]>(tenantIds.map((id) => [id, []]));
  // Rows for keys no longer in the registry are ignored (a retired setting).
  for (const r of rows) if (settingDefinition(r.key)) per.get(r.tenant_id)?.push(r);
  return new Map([...per].map(([id, rs]) => [id, configOf(id, rs)]));
}

/**
 * The effective configuration of each tenant, in the caller's transaction.
 * A tenant the caller cannot see gets no entry (not an all-defaults one).
 */
export async function effectiveConfigs(tx: TenantTx, tenantIds: readonly string[]): Promise<Map<string, EffectiveConfig>> {
  if (tenantIds.length === 0) return new Map();
  if (!isRenderTransaction(tx)) return readConfigs(tx, tenantIds);
  // A page render's transaction (lib/db/render-transaction.ts): the layout and the page both ask
  // (the navigation's feature flags, the page's own settings, e.g. the alert list's SLA clocks),
  // so each tenant's configuration is read once per transaction. The writes below forget it.
  let memo = renderMemo.get(tx);
  if (!memo) renderMemo.set(tx, (memo = new Map()));
  const missing = [...new Set(tenantIds)].filter((id) => !memo.has(id));
  if (missing.length > 0) {
    // A caller who sees few tenants (a customer and its sites) gets them all in this one read: the
    // layout asks for the host's tenant first and the page for its rows' tenants after.
    const everyVisible = memo.size === 0 && tx.visibleTenantCount !== undefined && tx.visibleTenantCount <= READ_ALL_VISIBLE_UP_TO;
    const read = readConfigs(tx, everyVisible ? null : missing);
    for (const id of missing) memo.set(id, read.then((configs) => configs.get(id) ?? null));
    read.then(
      // The other visible tenants the read brought, for the page's later asks.
      (configs) => {
        for (const [id, config] of configs) if (!memo.has(id)) memo.set(id, Promise.resolve(config));
      },
      // A failed read is not kept: the transaction fails with it, and nothing may reuse it.
      () => renderMemo.delete(tx),
    );
  }
  const out = new Map<string, EffectiveConfig>();
  for (const id of tenantIds) {
    const config = await memo.get(id)!;
    if (config) out.set(id, config);
  }
  return out;
}

/** Up to this many visible tenants, a render transaction's first settings read reads them all. */
const READ_ALL_VISIBLE_UP_TO = 25;

/** Each render transaction's configurations read so far, by tenant (null: the caller cannot see it). */
const renderMemo = new WeakMap<TenantTx, Map<string, Promise<EffectiveConfig | null>>>();

/** After a write in `tx`: what it read before is stale (lib/settings/write.ts calls this). */
export function forgetEffectiveConfigs(tx: TenantTx): void {
  renderMemo.delete(tx);
}

/** `tenantIds` null: every tenant the caller can see. */
async function readConfigs(tx: TenantTx, tenantIds: readonly string[] | null): Promise<Map<string, EffectiveConfig>> {
  const { rows } = await tx.client.query<ResolvedRow | (Omit<ResolvedRow, "key"> & { key: null })>(
    tenantIds
      ? `select ${COLUMNS} from settings.effective($1::uuid[])`
      : `select ${COLUMNS} from settings.effective(array(select tenancy.visible_tenant_ids()))`,
    tenantIds ? [tenantIds] : [],
  );
  // One row with a null key per tenant the caller can see (migration 20261201001000).
  const seen = new Set(rows.filter((r) => r.key === null).map((r) => r.tenant_id));
  const all = group(
    tenantIds ?? [...seen],
    rows.filter((r): r is ResolvedRow => r.key !== null),
  );
  return new Map([...all].filter(([id]) => seen.has(id)));
}

/** One tenant's effective configuration; null when the caller cannot see the tenant. */
export async function effectiveConfig(tx: TenantTx, tenantId: string): Promise<EffectiveConfig | null> {
  return (await effectiveConfigs(tx, [tenantId])).get(tenantId) ?? null;
}

/** The same, through the service role (named purpose held by the caller): any tenant. */
export async function effectiveConfigAsService(db: Db, tenantId: string): Promise<EffectiveConfig> {
  return (await effectiveConfigsAsService(db, [tenantId])).get(tenantId)!;
}

/** Many tenants through the service role, in one query (an id that is no tenant gets all defaults). */
export async function effectiveConfigsAsService(db: Db, tenantIds: readonly string[]): Promise<Map<string, EffectiveConfig>> {
  const { rows } = await db.$client.query<ResolvedRow>(`select ${COLUMNS} from settings.resolve($1::uuid[])`, [tenantIds]);
  return group(tenantIds, rows);
}
