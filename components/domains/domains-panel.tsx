"use client";
// Add a domain, then one card per domain (domain-card.tsx). The tenant's own
// admins see it on /domains; MSSP staff see the same panel for a customer on
// the console (audience "console": the wording speaks of the customer). Every
// button posts to a server action that re-checks everything (PDP, RLS).
import { useActionState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { RowRemovals } from "@/components/ui/row-removals";
import { addDomain } from "@/lib/actions/domains/add-domain";
import { removeDomain } from "@/lib/actions/domains/remove-domain";
import { idle, type ActionResult } from "@/lib/actions/result";
import type { DomainsPageData } from "@/lib/domains/page-data";
import { DomainCard, type DomainsAudience } from "./domain-card";

function AddForm({ data, audience }: { data: DomainsPageData; audience: DomainsAudience }) {
  const [state, action] = useActionState(addDomain, idle as ActionResult<{ id: string }>);
  const keptAction = useKeptForm(state, action);
  return (
    <form action={action} {...keptAction} className="rounded-xl border border-slate-200 bg-white p-4" data-testid="domain-add">
      <h2 className="text-base font-semibold text-slate-900">{audience === "console" ? `Add a domain for ${data.tenant.name}` : "Add a domain"}</h2>
      <input type="hidden" name="tenantId" value={data.tenant.id} />
      <div className="mt-3 flex flex-wrap items-end gap-3">
        <div className="flex min-w-0 flex-1 flex-col text-xs font-medium text-slate-700">
          <label htmlFor="domain-name">Domain name</label>
          <input
            id="domain-name"
            name="domain"
            required
            maxLength={253}
            placeholder="soc.example.com"
            autoComplete="off"
            spellCheck={false}
            className="mt-1 w-full rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900 placeholder:text-slate-500"
          />
          <FieldError state={state} name="domain" />
        </div>
        <SubmitButton pendingLabel="Adding…">Add domain</SubmitButton>
      </div>
      <ResultMessage state={state} />
    </form>
  );
}

function Empty({ data, audience }: { data: DomainsPageData; audience: DomainsAudience }) {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center" data-testid="domains-empty">
      <p className="text-sm font-medium text-slate-800">{audience === "console" ? `${data.tenant.name} has no custom domains yet.` : "No custom domains yet."}</p>
      <p className="mt-1 text-sm text-slate-600">
        {audience === "console"
          ? "Add the customer's domain above (or let their admins add it on their portal's Custom domains page), then send them the two DNS records this page shows."
          : "Add one above; the portal then shows the DNS records to create."}
      </p>
    </div>
  );
}

export function DomainsPanel({ data, audience = "tenant" }: { data: DomainsPageData; audience?: DomainsAudience }) {
  return (
    <div className="space-y-6">
      <AddForm data={data} audience={audience} />
      <RowRemovals action={removeDomain} testId="domain-removal-answer">
        {data.domains.length === 0 ? (
          <Empty data={data} audience={audience} />
        ) : (
          <ul className="space-y-4">
            {data.domains.map((d) => (
              <DomainCard key={d.id} d={d} tenantId={data.tenant.id} cnameTarget={data.cnameTarget} timeZone={data.timeZone} audience={audience} />
            ))}
          </ul>
        )}
      </RowRemovals>
      <p className="text-xs text-slate-600">
        The portal re-checks every domain every 10 minutes. A verified domain whose TXT record disappears keeps working for {data.graceHours} hours, then stops.
      </p>
    </div>
  );
}
