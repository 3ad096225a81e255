"use server";
import { revalidatePath } from "next/cache";
import { setSettingValue } from "@/lib/settings/write";
import { tenantAction } from "../guard";
import { requireChangeRight, setSettingSchema } from "./schemas";

/** Sets a setting at the tenant (overrides what it inherits). */
export const setSetting = tenantAction({ action: "settings:manage", audit: "setting.set", schema: setSettingSchema }, async ({ tx, input, tenant }) => {
  await requireChangeRight(tx, input.key, tenant);
  const change = await setSettingValue(tx, { tenantId: tenant.id, key: input.key, raw: input.value });
  revalidatePath("/settings");
  return {
    data: undefined,
    message: change.message,
    target: { type: "setting", id: change.key },
    details: { setting: change.key, from: change.from, to: change.to },
  };
});
