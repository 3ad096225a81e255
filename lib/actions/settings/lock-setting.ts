"use server";
import { revalidatePath } from "next/cache";
import { lockSettingValue, unlockSettingValue } from "@/lib/settings/write";
import { tenantAction } from "../guard";
import { requireChangeRight, settingRefSchema } from "./schemas";

/**
 * Locks a setting at the tenant holding it, with its current value: every
 * tenant below inherits it and cannot change it. Asked of the tenant where
 * the lock is placed, so only someone allowed to change the setting there
 * locks it (an MSSP admin at the MSSP, a customer's admin at the customer).
 */
export const lockSetting = tenantAction({ action: "settings:manage", audit: "setting.locked", schema: settingRefSchema }, async ({ tx, input, tenant }) => {
  await requireChangeRight(tx, input.key, tenant);
  const change = await lockSettingValue(tx, { tenantId: tenant.id, key: input.key });
  revalidatePath("/settings");
  return {
    data: undefined,
    message: change.message,
    target: { type: "setting", id: change.key },
    details: { setting: change.key, value: change.to, locked: true, cleared_below: change.clearedBelow ?? 0 },
  };
});

/** Unlocks a lock held by the tenant; the value stays set there. */
export const unlockSetting = tenantAction({ action: "settings:manage", audit: "setting.unlocked", schema: settingRefSchema }, async ({ tx, input, tenant }) => {
  await requireChangeRight(tx, input.key, tenant);
  const change = await unlockSettingValue(tx, { tenantId: tenant.id, key: input.key });
  revalidatePath("/settings");
  return {
    data: undefined,
    message: change.message,
    target: { type: "setting", id: change.key },
    details: { setting: change.key, value: change.to, locked: false },
  };
});
