"use server";
// A comment on an alert's timeline. Comments are never edited or deleted.
import { revalidatePath } from "next/cache";
import { commentOnAlert as addComment } from "@/lib/alerts/triage";
import { requireFeature } from "@/lib/settings/enforce";
import { tenantAction } from "../guard";
import { commentSchema } from "./schemas";

export const commentOnAlert = tenantAction({ action: "alerts:triage", audit: "alerts:comment", schema: commentSchema }, async ({ tx, input }) => {
  await requireFeature(tx, input.tenantId, "features.alert_triage");
  const id = await addComment(tx, input.tenantId, input.alertId, input.body);
  revalidatePath("/alerts", "layout");
  // The audit row names the comment, not its text (the timeline holds that).
  return { data: undefined, message: "Comment added.", target: { type: "alert", id: input.alertId }, details: { comment_id: id, length: input.body.length } };
});
