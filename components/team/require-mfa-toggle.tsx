"use client";
import { useActionState } from "react";
import { idle, type ActionResult } from "@/lib/actions/result";
import { setSetting } from "@/lib/actions/settings/set-setting";
import { ResultMessage, SubmitButton } from "./form-bits";

/**
 * The tenant setting session.mfa_required (lib/settings), at hand on the Team
 * page: require two-step verification for every member (MSSP roles always
 * need it). Locked above: shown, not changeable here.
 */
export function RequireMfaToggle(props: { tenantId: string; tenantName: string; required: boolean; lockedBy: string | null }) {
  const [state, action] = useActionState(setSetting, idle as ActionResult);
  return (
    <form action={action} className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-label="Two-step verification policy">
      <input type="hidden" name="tenantId" value={props.tenantId} />
      <input type="hidden" name="key" value="session.mfa_required" />
      <input type="hidden" name="value" value={props.required ? "false" : "true"} />
      <div>
        <h2 className="text-sm font-semibold text-slate-800">Two-step verification</h2>
        <p className="mt-1 text-xs text-slate-500" data-testid="require-mfa-state">
          {props.required
            ? `Required for everyone who can reach ${props.tenantName}: its members, its sites' and those of the tenants above it.`
            : `Optional for ${props.tenantName}'s own roles (always required for MSSP staff).`}
          {props.lockedBy ? ` Locked by ${props.lockedBy}.` : ""}
        </p>
        <ResultMessage state={state} />
      </div>
      {!props.lockedBy && (
        <SubmitButton tone="quiet" pendingLabel="Saving…">
          {props.required ? "Make optional" : "Require for everyone"}
        </SubmitButton>
      )}
    </form>
  );
}
