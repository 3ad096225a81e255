"use client";
// Add a domain, then per domain: its status, the two DNS records to create
// (TXT with the token, CNAME to the portal), Verify now, Remove. Every button
// posts to a server action that re-checks everything (PDP, RLS).
import { useActionState } from "react";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { addDomain } from "@/lib/actions/domains/add-domain";
import { removeDomain } from "@/lib/actions/domains/remove-domain";
import { verifyDomain } from "@/lib/actions/domains/verify-domain";
import { idle, type ActionResult } from "@/lib/actions/result";
import type { DomainsPageData, DomainView } from "@/lib/domains/page-data";

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC" : "never");

const TONE: Record<DomainView["status"], string> = {
  pending: "bg-amber-50 text-amber-900 border-amber-200",
  verified: "bg-emerald-50 text-emerald-900 border-emerald-200",
  grace: "bg-orange-50 text-orange-900 border-orange-200",
  unrouted: "bg-rose-50 text-rose-900 border-rose-200",
};

function AddForm({ data }: { data: DomainsPageData }) {
  const [state, action] = useActionState(addDomain, idle as ActionResult<{ id: string }>);
  return (
    <form action={action} className="rounded-xl border border-slate-200 bg-white p-4" data-testid="domain-add">
      <h2 className="text-base font-semibold text-slate-900">Add a domain</h2>
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

function Record({ type, name, value }: { type: string; name: string; value: string }) {
  return (
    <tr>
      <td className="py-1 pr-3 align-top font-mono text-xs text-slate-700">{type}</td>
      <td className="py-1 pr-3 align-top font-mono text-xs break-all text-slate-900">{name}</td>
      <td className="py-1 align-top font-mono text-xs break-all text-slate-900">{value}</td>
    </tr>
  );
}

function DomainCard({ d, data }: { d: DomainView; data: DomainsPageData }) {
  const [verifyState, verify] = useActionState(verifyDomain, idle as ActionResult<{ status: DomainView["status"] }>);
  const [removeState, remove] = useActionState(removeDomain, idle as ActionResult<{ removed: boolean }>);
  return (
    <li className="rounded-xl border border-slate-200 bg-white p-4" data-testid="domain-row" data-domain={d.domain}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0">
          <p className="font-mono text-sm font-semibold break-all text-slate-900">{d.domain}</p>
          {d.unicode && <p className="text-xs text-slate-600">Shown as {d.unicode}</p>}
        </div>
        <span className={`rounded-full border px-2 py-0.5 text-xs font-medium ${TONE[d.status]}`} data-testid="domain-status">
          {d.statusLabel}
        </span>
      </div>
      {d.status === "grace" && d.unroutesAt && (
        <p className="mt-2 text-sm text-orange-900">The TXT record is gone. Put it back before {when(d.unroutesAt)}, or the portal stops answering on this domain.</p>
      )}
      <div className="mt-3">
        <p className="text-xs font-medium text-slate-700">Create these DNS records at your DNS provider:</p>
        <div className="mt-1 overflow-x-auto" tabIndex={0} role="region" aria-label={`DNS records for ${d.domain}`}>
          <table className="min-w-full text-left">
            <thead>
              <tr className="text-xs text-slate-600">
                <th className="py-1 pr-3 font-medium">Type</th>
                <th className="py-1 pr-3 font-medium">Name</th>
                <th className="py-1 font-medium">Value</th>
              </tr>
            </thead>
            <tbody>
              <Record type="TXT" name={d.txtName} value={d.txtValue} />
              <Record type="CNAME" name={d.domain} value={data.cnameTarget} />
            </tbody>
          </table>
        </div>
        <p className="mt-1 text-xs text-slate-600">
          Last checked {when(d.lastCheckedAt)}
          {d.lastCheck === "cname_missing" ? ": the TXT record is right, but the CNAME does not point at the portal yet." : "."}
        </p>
      </div>
      <div className="mt-3 flex flex-wrap gap-2">
        <form action={verify}>
          <input type="hidden" name="tenantId" value={data.tenant.id} />
          <input type="hidden" name="domainId" value={d.id} />
          <SubmitButton pendingLabel="Checking DNS…">Verify now</SubmitButton>
        </form>
        <form
          action={remove}
          onSubmit={(e) => {
            if (!window.confirm(`Remove ${d.domain}? The portal stops answering on it at once.`)) e.preventDefault();
          }}
        >
          <input type="hidden" name="tenantId" value={data.tenant.id} />
          <input type="hidden" name="domainId" value={d.id} />
          <SubmitButton tone="danger" pendingLabel="Removing…">
            Remove
          </SubmitButton>
        </form>
      </div>
      <ResultMessage state={verifyState} />
      <ResultMessage state={removeState} />
    </li>
  );
}

export function DomainsPanel({ data }: { data: DomainsPageData }) {
  return (
    <div className="space-y-6">
      <AddForm data={data} />
      {data.domains.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center" data-testid="domains-empty">
          <p className="text-sm font-medium text-slate-800">No custom domains yet.</p>
          <p className="mt-1 text-sm text-slate-600">Add one above; the portal then shows the DNS records to create.</p>
        </div>
      ) : (
        <ul className="space-y-4">
          {data.domains.map((d) => (
            <DomainCard key={d.id} d={d} data={data} />
          ))}
        </ul>
      )}
      <p className="text-xs text-slate-600">
        The portal re-checks every domain every 10 minutes. A verified domain whose TXT record disappears keeps working for {data.graceHours} hours, then stops.
      </p>
    </div>
  );
}
