"use server";
// Adds a notification channel. A webhook's signing secret is generated,
// sealed, and shown once in the answer (never again).
import { revalidatePath } from "next/cache";
import { createChannel as create } from "@/lib/notify/channels";
import { requireFeature } from "@/lib/settings/enforce";
import { tenantAction } from "../guard";
import { channelInputOf, createChannelSchema } from "./schemas";

export const createChannel = tenantAction(
  { action: "settings:manage", audit: "workflow.channel-created", schema: createChannelSchema },
  async ({ tx, input }) => {
    await requireFeature(tx, input.tenantId, "features.workflows");
    const { channel, secret } = await create(tx, channelInputOf(input));
    revalidatePath("/workflows");
    return {
      data: { id: channel.id, secret },
      message: secret
        ? `Channel "${channel.name}" added. Its signing secret is shown below once: copy it to the receiver now.`
        : `Channel "${channel.name}" added.`,
      target: { type: "notification_channel", id: channel.id },
      details: { name: channel.name, kind: channel.kind },
    };
  },
);
