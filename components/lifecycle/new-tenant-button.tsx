"use client";
// The Customers page's "New customer" button: opens the provisioning form in place.
import { useState } from "react";
import { ProvisionForm, type ParentChoice } from "./provision-form";

/** `typedParentAmong`: see ProvisionForm (a site's parent typed, past TENANT_SELECT_UP_TO tenants). */
export function NewTenantButton(props: { parents: ParentChoice[]; domain: string; label: string; defaultParentId?: string; typedParentAmong?: number }) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} className="rounded-lg bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-dark">
        {props.label}
      </button>
    );
  }
  return (
    <div className="w-full rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="provision-panel">
      <ProvisionForm parents={props.parents} domain={props.domain} defaultParentId={props.defaultParentId} typedParentAmong={props.typedParentAmong} onClose={() => setOpen(false)} />
    </div>
  );
}
