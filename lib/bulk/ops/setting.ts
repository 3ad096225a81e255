// A setting change over many tenants, through lib/settings' own write path
// (setSettingValue / clearSettingValue: registry validation, locks above,
// tighten-only rules, the database's re-check). What the undo restores is the
// tenant's own row exactly as it was: its value and its lock, or no row at all
// (it inherited), so an undo of an override that did not exist removes it.
import { isDeepStrictEqual } from "node:util";
import type { Action } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { clearSettingValue, formatValue, lockSettingValue, parseSettingValue, setSettingValue, valueAsText, type EffectiveSetting } from "@/lib/settings";
import { definitionOrRefuse } from "@/lib/settings/write";
import type { OperationParams } from "../model";
import type { Target } from "../select";
import { planWithConfigs } from "./plan-with-configs";
import type { OperationImpl, PlanLine } from "./types";

type P = Extract<OperationParams, { operation: "setting" }>;

/** The tenant's own row of the setting (under RLS), or null: it inherits. */
async function ownValue(tx: TenantTx, tenantId: string, key: string): Promise<{ value: unknown; locked: boolean } | null> {
  const { rows } = await tx.client.query<{ value: unknown; locked: boolean }>("select value, locked from public.tenant_settings where tenant_id = $1 and key = $2", [tenantId, key]);
  return rows[0] ? { value: rows[0].value, locked: rows[0].locked } : null;
}

function sourceWords(s: EffectiveSetting): string {
  if (s.source === "here") return "set here";
  if (s.source === "inherited") return `inherited from ${s.sourceName}`;
  return "default";
}

export const settingOperation: OperationImpl<P> = {
  actions(p): Action[] {
    return definitionOrRefuse(p.key).changedBy === "mssp" ? ["settings:manage", "settings:govern"] : ["settings:manage"];
  },

  async validate(_tx, p) {
    const d = definitionOrRefuse(p.key);
    if (p.mode === "inherit") return `${d.label}: remove each tenant's own value (inherit again)`;
    return `${d.label} → ${formatValue(d, parseSettingValue(d, p.value))}`;
  },

  async plan(tx, targets, p) {
    const d = definitionOrRefuse(p.key);
    const value = p.mode === "set" ? parseSettingValue(d, p.value) : undefined;
    return planWithConfigs(tx, targets, (_t, config): PlanLine => {
      const s = config?.get(d.key);
      if (!s) return { planned: "Not visible to you: skipped.", skip: true };
      if (s.lockedBy) return { planned: `Locked by ${s.lockedBy.tenantName}: skipped.`, skip: true };
      if (p.mode === "inherit") return s.source === "here" ? { planned: `${formatValue(d, s.value)} (set here) → inherit`, skip: false } : { planned: "Already inherits: skipped.", skip: true };
      if (s.source === "here" && isDeepStrictEqual(s.value, value) && !s.storedInvalid) return { planned: `Already ${formatValue(d, value)} here: skipped.`, skip: true };
      return { planned: `${formatValue(d, s.value)} (${sourceWords(s)}) → ${formatValue(d, value)} (set here)`, skip: false };
    });
  },

  async apply(tx, target, p) {
    const d = definitionOrRefuse(p.key);
    const before = await ownValue(tx, target.id, d.key);
    if (p.mode === "inherit") {
      if (!before) return { status: "skipped", message: "Already inherits: nothing to remove." };
      const change = await clearSettingValue(tx, { tenantId: target.id, key: d.key });
      // A lock made here goes with the row; `locked` lets the undo put it back.
      return {
        status: "done",
        before: { own: before.value, locked: before.locked },
        after: { own: null },
        message: change.message,
        details: { setting: d.key, from: change.from, to: change.to, ...(before.locked ? { unlocked: true } : {}) },
      };
    }
    const value = parseSettingValue(d, p.value);
    if (before && isDeepStrictEqual(before.value, value)) return { status: "skipped", message: `Already ${formatValue(d, value)} here.` };
    const change = await setSettingValue(tx, { tenantId: target.id, key: d.key, raw: p.value });
    return {
      status: "done",
      before: { own: before ? before.value : null, locked: before?.locked ?? false },
      after: { own: change.to },
      message: change.message,
      details: { setting: d.key, from: change.from, to: change.to },
    };
  },

  async undo(tx, target, p, before, after) {
    const d = definitionOrRefuse(p.key);
    const was = (before as { own: unknown }).own;
    // Runs recorded before the lock was kept have no `locked`: they were taken as unlocked.
    const wasLocked = (before as { locked?: boolean }).locked === true;
    const wrote = (after as { own: unknown }).own;
    const now = await ownValue(tx, target.id, d.key);
    // Changed again since the run: the newer change stands.
    if (!isDeepStrictEqual(now ? now.value : null, wrote)) {
      return { status: "undo_skipped", message: "Changed again since this run: left as it is now." };
    }
    if (was === null) {
      const change = await clearSettingValue(tx, { tenantId: target.id, key: d.key });
      return { status: "undone", message: `Own value removed: ${change.message}`, details: { setting: d.key, from: change.from, to: change.to, restored: "inherit" } };
    }
    const change = await setSettingValue(tx, { tenantId: target.id, key: d.key, raw: valueAsText(d, was) });
    // The lock comes back as it was made: at this value, the values set below it meanwhile removed.
    if (wasLocked && !now?.locked) {
      const locked = await lockSettingValue(tx, { tenantId: target.id, key: d.key });
      return { status: "undone", message: `Restored: ${change.message} ${locked.message}`, details: { setting: d.key, from: change.from, to: change.to, locked: true } };
    }
    return { status: "undone", message: `Restored: ${change.message}`, details: { setting: d.key, from: change.from, to: change.to } };
  },
};

export type { Target };
