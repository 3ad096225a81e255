"use server";
import { sql } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { tenantAction } from "../guard";

const schema = z.object({ tenantId: z.string().uuid(), requireMfa: z.enum(["on", "off"]) });

export const setRequireMfa = tenantAction({ action: "settings:manage", audit: "settings:require-mfa", schema }, async ({ tx, input }) => {
  const on = input.requireMfa === "on";
  const { rows } = await tx.db.execute(sql`update public.tenants set require_mfa = ${on} where id = ${input.tenantId} returning id`);
  if (rows.length === 0) throw new Error("tenant not updatable");
  revalidatePath("/team");
  return {
    data: undefined,
    message: on ? "Two-step verification is now required for every member." : "Two-step verification is now optional for tenant roles.",
    target: { type: "tenant", id: input.tenantId },
    details: { require_mfa: on },
  };
});
