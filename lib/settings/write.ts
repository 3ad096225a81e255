// Changing settings, in the caller's withTenant transaction (under RLS; the
// server actions in lib/actions/settings ask the PDP first). Each function
// validates against the registry, refuses with a SettingRefusal a person can
// read (unknown setting, wrong type, out of bounds, locked above), and
// returns what changed for the audit row. The database re-checks the lock and
// who may write (or remove) the MSSP-only groups (migrations 20261201001000,
// 20261201029400) and the bounds of whole numbers (20261201029410), so a
// refusal here and one there read the same.
import { isDeepStrictEqual } from "node:util";
import type { TenantTx } from "@/lib/db/with-tenant";
import { sqlState } from "@/lib/db/sql-state";
import { LEGAL_HOLD, settingDefinition, type SettingDefinition } from "./registry";
import { SettingRefusal } from "./errors";
import { effectiveConfig, forgetEffectiveConfigs, type EffectiveConfig, type EffectiveSetting } from "./resolve";
import { formatValue } from "./format";
import { lockBrandImageWriters } from "@/lib/branding/assets";
import { BRAND_KEYS } from "@/lib/branding/settings-keys";

export interface SettingChange {
  key: string;
  /** The effective value before and after, as the audit row records them. */
  from: unknown;
  to: unknown;
  locked?: boolean;
  /** Overrides removed below by a lock. */
  clearedBelow?: number;
  message: string;
}

/** The definition of `key`, or a refusal naming the problem. */
export function definitionOrRefuse(key: string): SettingDefinition {
  const d = settingDefinition(key);
  if (!d) throw new SettingRefusal(`There is no setting called "${key}".`, { setting: key, problem: "unknown" });
  return d;
}

/**
 * A form's text as a value of the setting's type: booleans "true"/"false"
 * (or on/off), whole numbers, a choice, or a list (one per line or comma).
 * Then the registry's schema decides bounds; its first message is the refusal.
 */
export function parseSettingValue(definition: SettingDefinition, raw: string): unknown {
  const text = raw.trim();
  let candidate: unknown = text;
  switch (definition.input.kind) {
    case "boolean":
      candidate = ({ true: true, on: true, false: false, off: false } as Record<string, boolean>)[text.toLowerCase()] ?? text;
      break;
    case "integer":
      candidate = /^-?\d{1,12}$/.test(text) ? Number(text) : text;
      break;
    case "list":
      candidate = text === "" ? [] : text.split(/[\n,]/).map((s) => s.trim()).filter((s) => s !== "");
      break;
  }
  const parsed = definition.schema.safeParse(candidate);
  if (!parsed.success) {
    const problem = parsed.error.issues[0]?.message ?? "Not a valid value.";
    throw new SettingRefusal(`${definition.label}: ${problem}`, { setting: definition.key, problem: "invalid" });
  }
  return parsed.data;
}

async function configOrRefuse(tx: TenantTx, tenantId: string): Promise<EffectiveConfig> {
  const config = await effectiveConfig(tx, tenantId);
  if (!config) throw new SettingRefusal("That tenant is not one you can configure.", { problem: "invisible" });
  return config;
}

function refuseIfLockedAbove(s: EffectiveSetting): void {
  if (s.lockedBy) {
    throw new SettingRefusal(`${s.definition.label} is locked by ${s.lockedBy.tenantName} (${s.lockedBy.who}).`, {
      setting: s.key,
      problem: "locked",
      locked_at: s.lockedBy.tenantId,
    });
  }
}

/** Minutes to acknowledge must not exceed minutes to resolve, for the same severity. */
function checkSlaPair(config: EffectiveConfig, key: string, value: unknown): void {
  const m = /^sla\.(\w+)\.(ack|resolve)_minutes$/.exec(key);
  if (!m) return;
  const other = m[2] === "ack" ? `sla.${m[1]}.resolve_minutes` : `sla.${m[1]}.ack_minutes`;
  const ack = m[2] === "ack" ? (value as number) : config.value<number>(other);
  const resolve = m[2] === "ack" ? config.value<number>(other) : (value as number);
  if (ack > resolve) {
    throw new SettingRefusal(
      `The time to acknowledge (${ack} minutes) cannot be longer than the time to resolve (${resolve} minutes) for ${m[1]} alerts.`,
      { setting: key, problem: "invalid" },
    );
  }
}

/**
 * A refusal from the database (a lock, an MSSP-only setting, a whole number out of its bounds:
 * migrations 20261201001000, 20261201029400, 20261201029410), as the same refusal the checks above give.
 */
async function guarded<T>(tx: TenantTx, fn: () => Promise<T>): Promise<T> {
  await tx.client.query("savepoint settings_write");
  try {
    const out = await fn();
    await tx.client.query("release savepoint settings_write");
    return out;
  } catch (error) {
    await tx.client.query("rollback to savepoint settings_write");
    const hint = (error as { hint?: string }).hint;
    if (sqlState(error) === "42501" && (hint === "setting_locked" || hint === "setting_mssp_only")) {
      throw new SettingRefusal(`${(error as Error).message}.`, { problem: hint === "setting_locked" ? "locked" : "mssp_only" });
    }
    if (sqlState(error) === "22023" && hint === "setting_invalid") throw new SettingRefusal(`${(error as Error).message}.`, { problem: "invalid" });
    throw error;
  }
}

/**
 * A tighten-only setting (session.mfa_required) turned off where a tenant
 * above has it on: refused. What it would inherit without its own value is
 * read in a savepoint that is rolled back, since the tenants above may be
 * out of the caller's sight.
 */
async function refuseLoosening(tx: TenantTx, tenantId: string, definition: SettingDefinition): Promise<void> {
  await tx.client.query("savepoint settings_loosen");
  let inherited: EffectiveSetting | undefined;
  try {
    await tx.client.query("delete from public.tenant_settings where tenant_id = $1 and key = $2", [tenantId, definition.key]);
    inherited = (await effectiveConfig(tx, tenantId))?.get(definition.key);
  } finally {
    await tx.client.query("rollback to savepoint settings_loosen");
  }
  if (inherited && inherited.value === true && inherited.source === "inherited") {
    throw new SettingRefusal(`${definition.label} is on at ${inherited.sourceName}: a tenant below it cannot turn it off.`, {
      setting: definition.key,
      problem: "tighten_only",
    });
  }
}

/**
 * A hold cannot be placed on a tenant that is, or has one below it that is, being offboarded: its
 * grace period would end in a purge the hold cannot stop halfway (lib/lifecycle/offboard.ts refuses
 * to start one under a hold). Call the offboarding off first.
 */
async function refuseHoldDuringOffboarding(tx: TenantTx, tenantId: string): Promise<void> {
  const { rows } = await tx.client.query<{ name: string }>(
    `select d.name from public.tenants t join public.tenants d on d.path operator(extensions.<@) t.path
      where t.id = $1 and d.status = 'deprovisioning' order by extensions.nlevel(d.path), d.name limit 1`,
    [tenantId],
  );
  if (rows[0]) {
    throw new SettingRefusal(`${rows[0].name} is being offboarded: call its offboarding off first, then place the legal hold.`, {
      setting: LEGAL_HOLD,
      problem: "offboarding",
    });
  }
}

/** Sets `key` at the tenant (an override of what it inherits). */
const IMAGE_KEYS: readonly string[] = [BRAND_KEYS.logoLight, BRAND_KEYS.logoDark, BRAND_KEYS.favicon];

/** A logo/dark logo/favicon value names an uploaded image: no prune deletes it before this write commits (lib/branding/assets.ts). */
async function lockNamedImage(tx: TenantTx, tenantId: string, key: string, value: unknown): Promise<void> {
  if (IMAGE_KEYS.includes(key) && typeof value === "string" && value !== "") await lockBrandImageWriters(tx.db, tenantId, [value]);
}

export async function setSettingValue(tx: TenantTx, input: { tenantId: string; key: string; raw: string }): Promise<SettingChange> {
  const definition = definitionOrRefuse(input.key);
  const value = parseSettingValue(definition, input.raw);
  const config = await configOrRefuse(tx, input.tenantId);
  const before = config.get(definition.key);
  refuseIfLockedAbove(before);
  checkSlaPair(config, definition.key, value);
  if (definition.tightenOnly && value === false) await refuseLoosening(tx, input.tenantId, definition);
  if (definition.key === LEGAL_HOLD && value === true) await refuseHoldDuringOffboarding(tx, input.tenantId);
  await lockNamedImage(tx, input.tenantId, definition.key, value);
  const { rowCount } = await guarded(tx, () =>
    tx.client.query(
      `insert into public.tenant_settings (tenant_id, key, value, changed_by, changed_at)
       values ($1, $2, $3::jsonb, auth.uid(), now())
       on conflict (tenant_id, key) do update set value = excluded.value, changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
      [input.tenantId, definition.key, JSON.stringify(value)],
    ),
  );
  forgetEffectiveConfigs(tx);
  if (rowCount !== 1) throw new SettingRefusal("You can't change the settings of that tenant.", { setting: definition.key, problem: "rls" });
  // On here: an "off" set below can no longer stand (tighten-only); remove it.
  if (definition.tightenOnly && value === true) await clearBelow(tx, input.tenantId, definition.key, "'false'::jsonb");
  return {
    key: definition.key,
    from: before.value,
    to: value,
    message: isDeepStrictEqual(before.value, value)
      ? `${definition.label} is now set here (${formatValue(definition, value)}), no longer inherited.`
      : `${definition.label} is now ${formatValue(definition, value)}.`,
  };
}

/** Deletes the values of `key` set below the tenant (those the caller may write), optionally only a given value. */
async function clearBelow(tx: TenantTx, tenantId: string, key: string, onlyValue?: "'false'::jsonb") {
  forgetEffectiveConfigs(tx);
  return tx.client.query(
    `delete from public.tenant_settings s
      using public.tenants t, public.tenants h
      where h.id = $1 and t.path operator(extensions.<@) h.path and t.id <> h.id
        and s.tenant_id = t.id and s.key = $2 ${onlyValue ? `and s.value = ${onlyValue}` : ""}`,
    [tenantId, key],
  );
}

/** Removes the tenant's own value (and its lock): it inherits again. */
export async function clearSettingValue(tx: TenantTx, input: { tenantId: string; key: string }): Promise<SettingChange> {
  const definition = definitionOrRefuse(input.key);
  await configOrRefuse(tx, input.tenantId);
  // The database refuses to remove what the caller may not set (an MSSP-only setting, a value below a lock).
  const { rows } = await guarded(tx, () =>
    tx.client.query<{ value: unknown; locked: boolean }>(`delete from public.tenant_settings where tenant_id = $1 and key = $2 returning value, locked`, [
      input.tenantId,
      definition.key,
    ]),
  );
  forgetEffectiveConfigs(tx);
  if (rows.length === 0) {
    throw new SettingRefusal(`${definition.label} is not set here: it already inherits.`, { setting: definition.key, problem: "not_set" });
  }
  const after = (await configOrRefuse(tx, input.tenantId)).get(definition.key);
  return {
    key: definition.key,
    from: rows[0].value,
    to: after.value,
    locked: false,
    message: `${definition.label} now inherits ${formatValue(definition, after.value)} (${after.source === "default" ? "the default" : `from ${after.sourceName}`}).`,
  };
}

/**
 * Locks `key` at the tenant with its current effective value: the tenants
 * below inherit it and cannot change it. Their own values of it are removed
 * (all those the caller may write), so an unlock later does not bring back
 * values set before the lock.
 */
export async function lockSettingValue(tx: TenantTx, input: { tenantId: string; key: string }): Promise<SettingChange> {
  const definition = definitionOrRefuse(input.key);
  const current = (await configOrRefuse(tx, input.tenantId)).get(definition.key);
  refuseIfLockedAbove(current);
  if (current.lockedHere) throw new SettingRefusal(`${definition.label} is already locked here.`, { setting: definition.key, problem: "already_locked" });
  await lockNamedImage(tx, input.tenantId, definition.key, current.value);
  await guarded(tx, () =>
    tx.client.query(
      `insert into public.tenant_settings (tenant_id, key, value, locked, changed_by, changed_at)
       values ($1, $2, $3::jsonb, true, auth.uid(), now())
       on conflict (tenant_id, key) do update set locked = true, changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
      [input.tenantId, definition.key, JSON.stringify(current.value)],
    ),
  );
  forgetEffectiveConfigs(tx);
  const cleared = await clearBelow(tx, input.tenantId, definition.key);
  return {
    key: definition.key,
    from: current.value,
    to: current.value,
    locked: true,
    clearedBelow: cleared.rowCount ?? 0,
    message:
      `${definition.label} is locked at ${formatValue(definition, current.value)} for every tenant below.` +
      (cleared.rowCount ? ` ${cleared.rowCount} value${cleared.rowCount === 1 ? "" : "s"} set below were removed.` : ""),
  };
}

/** Unlocks the tenant's own lock of `key`; its value stays set here. */
export async function unlockSettingValue(tx: TenantTx, input: { tenantId: string; key: string }): Promise<SettingChange> {
  const definition = definitionOrRefuse(input.key);
  const current = (await configOrRefuse(tx, input.tenantId)).get(definition.key);
  refuseIfLockedAbove(current);
  const { rowCount } = await guarded(tx, () =>
    tx.client.query(
      `update public.tenant_settings set locked = false, changed_by = auth.uid(), changed_at = now()
        where tenant_id = $1 and key = $2 and locked`,
      [input.tenantId, definition.key],
    ),
  );
  forgetEffectiveConfigs(tx);
  if (rowCount !== 1) throw new SettingRefusal(`${definition.label} is not locked here.`, { setting: definition.key, problem: "not_locked" });
  return {
    key: definition.key,
    from: current.value,
    to: current.value,
    locked: false,
    message: `${definition.label} is unlocked: the tenants below may set their own value.`,
  };
}
