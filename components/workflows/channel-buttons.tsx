"use client";
// A channel row's buttons: Send test, Enable/Disable, (webhook) Replace
// secret, Remove. Each posts to a server action that re-checks everything
// (zod, PDP, RLS). A replaced secret is shown here once, like on create.
import { useActionState } from "react";
import { ConfirmedForm } from "@/components/ui/confirmed-form";
import { idle, type ActionResult } from "@/lib/actions/result";
import { replaceChannelSecret, setChannelEnabled } from "@/lib/actions/workflows/channel-settings";
import { testChannel } from "@/lib/actions/workflows/test-channel";
import { RemoveButton, RowButton } from "./forms";

const quiet = "rounded-lg border border-slate-300 px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50";

function ReplaceSecretButton(props: { fields: Record<string, string>; name: string }) {
  const [state, action, pending] = useActionState(replaceChannelSecret, idle as ActionResult<{ secret: string }>);
  return (
    <span className="inline-flex flex-col gap-1">
      {/* Asked first: the receiver's old secret stops verifying at once. */}
      <ConfirmedForm
        action={action}
        question={`Replace the signing secret of "${props.name}"? The old one stops working at once: the receiver must be given the new one.`}
        className="inline-flex"
      >
        {Object.entries(props.fields).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <button type="submit" className={quiet} disabled={pending} aria-label={`Replace the signing secret of ${props.name}`} data-testid="channel-replace-secret">
          Replace secret
        </button>
      </ConfirmedForm>
      {state.ok && state.message ? <span role="status" className="text-xs text-emerald-700">{state.message}</span> : null}
      {state.ok && state.data.secret ? (
        <span className="rounded-lg bg-amber-50 p-2 font-mono text-xs text-amber-900 break-all" data-testid="channel-new-secret">
          Signing secret (shown once): {state.data.secret}
        </span>
      ) : null}
      {!state.ok && state.error ? <span role="alert" className="text-xs text-red-700">{state.error}</span> : null}
    </span>
  );
}

export function ChannelButtons(props: { tenantId: string; channelId: string; name: string; kind: "webhook" | "email"; enabled: boolean }) {
  const fields = { tenantId: props.tenantId, channelId: props.channelId };
  const toggle = props.enabled ? "Disable" : "Enable";
  return (
    <span className="flex flex-wrap gap-2">
      <RowButton label="Send test" ariaLabel={`Send a test to ${props.name}`} action={testChannel} fields={fields} testId="channel-test" />
      <RowButton
        label={toggle}
        ariaLabel={`${toggle} ${props.name}`}
        action={setChannelEnabled}
        fields={{ ...fields, enabled: String(!props.enabled) }}
        testId="channel-toggle"
      />
      {props.kind === "webhook" ? <ReplaceSecretButton fields={fields} name={props.name} /> : null}
      <RemoveButton label="Remove" ariaLabel={`Remove ${props.name}`} question={`Remove the channel "${props.name}"? Its delivery history goes with it.`} fields={fields} />
    </span>
  );
}
