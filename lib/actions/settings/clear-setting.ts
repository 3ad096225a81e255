"use server";
import { revalidatePath } from "next/cache";
import { clearSettingValue } from "@/lib/settings/write";
import { tenantAction } from "../guard";
import { requireChangeRight, settingRefSchema } from "./schemas";

/** Removes the tenant's own value (and its lock, if any): it inherits again. */
export const clearSetting = tenantAction({ action: "settings:manage", audit: "setting.cleared", schema: settingRefSchema }, async ({ tx, input, tenant }) => {
  await requireChangeRight(tx, input.key, tenant);
  const change = await clearSettingValue(tx, { tenantId: tenant.id, key: input.key });
  revalidatePath("/settings");
  return {
    data: undefined,
    message: change.message,
    target: { type: "setting", id: change.key },
    details: { setting: change.key, from: change.from, to: change.to },
  };
});
