"use client";
import { useActionState } from "react";
import { idle, type ActionResult } from "@/lib/actions/result";
import { setRequireMfa } from "@/lib/actions/settings/set-require-mfa";
import { ResultMessage, SubmitButton } from "./form-bits";

/** Tenant security setting: require two-step verification for every member (MSSP roles always need it). */
export function RequireMfaToggle(props: { tenantId: string; tenantName: string; required: boolean }) {
  const [state, action] = useActionState(setRequireMfa, idle as ActionResult);
  return (
    <form action={action} className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-label="Two-step verification policy">
      <input type="hidden" name="tenantId" value={props.tenantId} />
      <input type="hidden" name="requireMfa" value={props.required ? "off" : "on"} />
      <div>
        <h2 className="text-sm font-semibold text-slate-800">Two-step verification</h2>
        <p className="mt-1 text-xs text-slate-500" data-testid="require-mfa-state">
          {props.required
            ? `Required for everyone in ${props.tenantName} and its sites.`
            : `Optional for ${props.tenantName}'s own roles (always required for MSSP staff).`}
        </p>
        <ResultMessage state={state} />
      </div>
      <SubmitButton tone="quiet" pendingLabel="Saving…">
        {props.required ? "Make optional" : "Require for everyone"}
      </SubmitButton>
    </form>
  );
}
