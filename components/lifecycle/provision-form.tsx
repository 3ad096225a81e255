"use client";
// "New customer" / "Add site": the parent, a name (the address is suggested
// from it), a plan and the first admin's email. On success it says who the
// invitation will be emailed to (the link goes to nobody else), with the way
// to the tenant's page and its progress.
//
// `typedParentAmong` (past TENANT_SELECT_UP_TO tenants): `parents` holds only the
// MSSPs (a new customer's parent), and "A customer or site…" takes a site's
// parent as its name or address, which the action resolves on the server among
// the tenants the caller sees (lib/lifecycle/parent-choice.ts).
import { useActionState, useState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { provisionTenant, type ProvisionedView } from "@/lib/actions/lifecycle/provision-tenant";
import { idle, type ActionResult } from "@/lib/actions/result";
import { PLANS } from "@/lib/lifecycle/plans";

export interface ParentChoice {
  id: string;
  name: string;
  kind: "mssp" | "customer" | "site";
  depth: number;
}

const slugFrom = (name: string) =>
  name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");

const input = "mt-1 block w-full rounded-lg border border-slate-300 px-3 py-1.5 text-sm";

/** The select's value for "a customer or site, typed below". */
const TYPED = "";

export function ProvisionForm(props: { parents: ParentChoice[]; domain: string; defaultParentId?: string; onClose?: () => void; typedParentAmong?: number }) {
  const [state, action] = useActionState(provisionTenant, idle as ActionResult<ProvisionedView>);
  const keptAction = useKeptForm(state, action);
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugTouched, setSlugTouched] = useState(false);
  const [parentId, setParentId] = useState(props.defaultParentId ?? props.parents[0]?.id ?? "");
  // Controlled, so a refused submission keeps what was typed (React resets uncontrolled fields after an action).
  const [plan, setPlan] = useState("");
  const [adminEmail, setAdminEmail] = useState("");
  const [typedParent, setTypedParent] = useState("");
  const typing = props.typedParentAmong !== undefined && parentId === TYPED;
  const parent = props.parents.find((p) => p.id === parentId);
  const noun = !typing && parent?.kind === "mssp" ? "customer" : "site";

  if (state.ok) {
    return (
      <div className="space-y-3" data-testid="provision-done">
        <ResultMessage state={state} />
        {/* The address the workflow's job holds (the first submission's, for a repeat), never merely the one just typed. */}
        <p className="text-sm text-slate-700" data-testid="invitation-to">
          The first admin&apos;s invitation will be emailed to <span className="font-medium">{state.data.invitationTo}</span> during provisioning.
        </p>
        <a href={`/customers/${state.data.slug}`} className="inline-block rounded-lg bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-dark">
          Follow the provisioning of {state.data.name}
        </a>
      </div>
    );
  }

  return (
    <form action={action} {...keptAction} className="grid gap-3 sm:grid-cols-2" aria-label={`New ${noun}`}>
      <label className="text-sm text-slate-700 sm:col-span-2">
        Under
        <select name={typing ? undefined : "tenantId"} value={parentId} onChange={(e) => setParentId(e.target.value)} className={input}>
          {props.parents.map((p) => (
            <option key={p.id} value={p.id}>
              {"\u00a0\u00a0".repeat(Math.max(0, p.depth - 1))}
              {p.name} ({p.kind})
            </option>
          ))}
          {props.typedParentAmong !== undefined && <option value={TYPED}>A customer or site (type its name or address below)</option>}
        </select>
        {!typing && <FieldError state={state} name="tenantId" />}
      </label>
      {typing && (
        <label className="text-sm text-slate-700 sm:col-span-2">
          Customer or site it goes under
          <input
            name="tenantId"
            required
            value={typedParent}
            onChange={(e) => setTypedParent(e.target.value)}
            maxLength={100}
            className={input}
            placeholder={`Name or address (one of ${props.typedParentAmong!.toLocaleString("en")} tenants)`}
          />
          <span className="mt-1 block text-xs text-slate-500">Or open the customer under Customers and use its “Add site”.</span>
          <FieldError state={state} name="tenantId" />
        </label>
      )}
      <label className="text-sm text-slate-700">
        Name
        <input
          name="name"
          required
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            if (!slugTouched) setSlug(slugFrom(e.target.value));
          }}
          className={input}
          placeholder={noun === "customer" ? "Wayne Enterprises" : "Gotham HQ"}
        />
        <FieldError state={state} name="name" />
      </label>
      <label className="text-sm text-slate-700">
        Address
        <div className="mt-1 flex items-center rounded-lg border border-slate-300 text-sm">
          <input
            name="slug"
            required
            value={slug}
            onChange={(e) => {
              setSlug(e.target.value);
              setSlugTouched(true);
            }}
            className="w-full rounded-l-lg px-3 py-1.5 font-mono"
          />
          <span className="whitespace-nowrap px-2 text-slate-500">.{props.domain}</span>
        </div>
        <FieldError state={state} name="slug" />
      </label>
      <label className="text-sm text-slate-700">
        Isolation plan
        <select name="plan" value={plan} onChange={(e) => setPlan(e.target.value)} className={input}>
          <option value="">{noun === "site" ? "Same as its parent" : "Standard (default)"}</option>
          {PLANS.map((p) => (
            <option key={p.id} value={p.id} title={p.description}>
              {p.label}
            </option>
          ))}
        </select>
        <FieldError state={state} name="plan" />
      </label>
      <label className="text-sm text-slate-700">
        First admin&apos;s email
        <input name="adminEmail" type="email" required value={adminEmail} onChange={(e) => setAdminEmail(e.target.value)} className={input} placeholder="it.admin@example.com" />
        <FieldError state={state} name="adminEmail" />
      </label>
      <div className="flex items-center gap-3 sm:col-span-2">
        <SubmitButton pendingLabel="Creating…">Create {noun}</SubmitButton>
        {props.onClose && (
          <button type="button" onClick={props.onClose} className="text-sm text-slate-600 hover:underline">
            Cancel
          </button>
        )}
        <ResultMessage state={state} />
      </div>
    </form>
  );
}
