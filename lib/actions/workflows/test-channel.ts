"use server";
// Sends a test notification through the channel: queued in this transaction
// like any other delivery, so it shows in the channel's last deliveries.
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "@/lib/actions/refusal";
import { CHANNEL_NOT_FOUND, getChannel } from "@/lib/notify/channels";
import { queueNotification } from "@/lib/notify/queue";
import { takeChannelTest } from "@/lib/notify/test-limit";
import { requireFeature } from "@/lib/settings/enforce";
import { tenantAction } from "../guard";
import { channelTarget } from "./schemas";

export const testChannel = tenantAction(
  { action: "settings:manage", audit: "workflow.channel-tested", schema: channelTarget },
  async ({ tx, input, tenant }) => {
    await requireFeature(tx, input.tenantId, "features.workflows");
    const channel = await getChannel(tx, input.tenantId, input.channelId);
    if (!channel) throw new ActionRefusal(CHANNEL_NOT_FOUND);
    if (!channel.enabled) throw new ActionRefusal(`Channel "${channel.name}" is disabled. Nothing was sent.`);
    // After the checks above (a refused test costs nothing), before anything is queued.
    await takeChannelTest(tx, channel.tenantId);
    const { rows } = await tx.client.query<{ name: string }>(`select name from public.tenants where id = $1`, [tenant.id]);
    await queueNotification(tx.db, {
      channel: { tenantId: channel.tenantId, id: channel.id, kind: channel.kind, recipients: channel.recipients, tenantName: rows[0]?.name ?? "" },
      reason: "test",
    });
    revalidatePath("/workflows");
    return {
      data: undefined,
      message: `Test queued to "${channel.name}". Its outcome appears under Last deliveries.`,
      target: { type: "notification_channel", id: channel.id },
      details: { name: channel.name, kind: channel.kind },
    };
  },
);
