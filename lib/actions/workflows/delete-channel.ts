"use server";
import { revalidatePath } from "next/cache";
import { deleteChannel as remove } from "@/lib/notify/channels";
import { requireFeature } from "@/lib/settings/enforce";
import { tenantAction } from "../guard";
import { channelTarget } from "./schemas";

export const deleteChannel = tenantAction(
  { action: "settings:manage", audit: "workflow.channel-deleted", schema: channelTarget },
  async ({ tx, input }) => {
    await requireFeature(tx, input.tenantId, "features.workflows");
    const channel = await remove(tx, input.tenantId, input.channelId);
    revalidatePath("/workflows");
    return {
      data: undefined,
      message: `Channel "${channel.name}" removed.`,
      target: { type: "notification_channel", id: channel.id },
      details: { name: channel.name, kind: channel.kind },
    };
  },
);
