"use server";
// A channel's own switches: a new signing secret for a webhook (the answer
// to a secret that no longer opens, secret.ts, or one that leaked; shown
// once, like on create), and enabling or disabling it (a disabled channel is
// kept, with the rules that name it, but nothing is sent to it).
import { revalidatePath } from "next/cache";
import { replaceChannelSecret as replace, setChannelEnabled as setEnabled } from "@/lib/notify/channels";
import { requireFeature } from "@/lib/settings/enforce";
import { tenantAction } from "../guard";
import { channelTarget, setChannelEnabledSchema } from "./schemas";

export const replaceChannelSecret = tenantAction(
  { action: "settings:manage", audit: "workflow.channel-secret-replaced", schema: channelTarget },
  async ({ tx, input }) => {
    await requireFeature(tx, input.tenantId, "features.workflows");
    const { channel, secret } = await replace(tx, input.tenantId, input.channelId);
    revalidatePath("/workflows");
    return {
      data: { secret },
      message: `Channel "${channel.name}" has a new signing secret; the old one no longer signs. It is shown below once: copy it to the receiver now.`,
      target: { type: "notification_channel", id: channel.id },
      // The hint only (the last 4 characters, already shown masked): never the secret.
      details: { name: channel.name, kind: channel.kind, secret_hint: channel.maskedSecret },
    };
  },
);

export const setChannelEnabled = tenantAction(
  { action: "settings:manage", audit: "workflow.channel-changed", schema: setChannelEnabledSchema },
  async ({ tx, input }) => {
    await requireFeature(tx, input.tenantId, "features.workflows");
    const channel = await setEnabled(tx, input.tenantId, input.channelId, input.enabled);
    revalidatePath("/workflows");
    return {
      data: undefined,
      message: channel.enabled ? `Channel "${channel.name}" enabled.` : `Channel "${channel.name}" disabled: nothing is sent to it until it is enabled again.`,
      target: { type: "notification_channel", id: channel.id },
      details: { name: channel.name, kind: channel.kind, enabled: channel.enabled },
    };
  },
);
