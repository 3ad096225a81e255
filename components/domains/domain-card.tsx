"use client";
// One custom domain: its status (with the grace deadline), the two DNS records
// to create, the last check and what it found, Verify now and Remove. Used by
// the tenant's /domains page and the console's /customers/<slug>/domains;
// every button posts to a server action that re-checks everything (PDP, RLS).
import { useRowRemoval } from "@/components/ui/row-removals";
import { ConfirmedForm } from "@/components/ui/confirmed-form";
import { useActionState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { TableScroll } from "@/components/ui/table-scroll";
import { verifyDomain } from "@/lib/actions/domains/verify-domain";
import { idle, type ActionResult } from "@/lib/actions/result";
import type { DomainView } from "@/lib/domains/page-data";
import { LAST_CHECK_LABELS } from "@/lib/domains/state";
import { formatTimeWithZone } from "@/lib/locale/time";

export type DomainsAudience = "tenant" | "console";

/** In the page's zone, named: the deadline is read against the reader's own clock. An explicit zone renders the same on the server and in the browser. */
export const when = (iso: string | null, zone: string) => (iso ? formatTimeWithZone(new Date(iso), zone) : "never");

const TONE: Record<DomainView["status"], string> = {
  pending: "bg-amber-50 text-amber-900 border-amber-200",
  verified: "bg-emerald-50 text-emerald-900 border-emerald-200",
  grace: "bg-orange-50 text-orange-900 border-orange-200",
  unrouted: "bg-rose-50 text-rose-900 border-rose-200",
};

function Record({ type, name, value }: { type: string; name: string; value: string }) {
  return (
    <tr>
      <td className="py-1 pr-3 align-top font-mono text-xs text-slate-700">{type}</td>
      <td className="py-1 pr-3 align-top font-mono text-xs break-all text-slate-900">{name}</td>
      <td className="py-1 align-top font-mono text-xs break-all text-slate-900">{value}</td>
    </tr>
  );
}

function LastCheck({ d, timeZone }: { d: DomainView; timeZone: string }) {
  const found = d.lastCheck ? LAST_CHECK_LABELS[d.lastCheck] : undefined;
  return (
    <p className="mt-1 text-xs text-slate-600" data-testid="domain-last-check">
      Last checked {when(d.lastCheckedAt, timeZone)}
      {d.lastCheckedAt && found ? `: ${found}.` : "."}
    </p>
  );
}

/** `timeZone`: the zone the page shows times in (DomainsPageData.timeZone). */
export function DomainCard({
  d,
  tenantId,
  cnameTarget,
  timeZone,
  audience = "tenant",
}: {
  d: DomainView;
  tenantId: string;
  cnameTarget: string;
  timeZone: string;
  audience?: DomainsAudience;
}) {
  const [verifyState, verify] = useActionState(verifyDomain, idle as ActionResult<{ status: DomainView["status"] }>);
  const keptVerify = useKeptForm(verifyState, verify);
  const remove = useRowRemoval();
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
        <p className="mt-2 text-sm text-orange-900" data-testid="domain-grace">
          The TXT record is gone. Put it back before {when(d.unroutesAt, timeZone)}, or the portal stops answering on this domain.
        </p>
      )}
      <div className="mt-3">
        <p className="text-xs font-medium text-slate-700">
          {audience === "console" ? "The customer creates these DNS records at their DNS provider:" : "Create these DNS records at your DNS provider:"}
        </p>
        <TableScroll label={`DNS records for ${d.domain}`} className="mt-1">
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
              <Record type="CNAME" name={d.domain} value={cnameTarget} />
            </tbody>
          </table>
        </TableScroll>
        <LastCheck d={d} timeZone={timeZone} />
      </div>
      <div className="mt-3 flex flex-wrap gap-2">
        <form action={verify} {...keptVerify}>
          <input type="hidden" name="tenantId" value={tenantId} />
          <input type="hidden" name="domainId" value={d.id} />
          <SubmitButton pendingLabel="Checking DNS…">{audience === "console" && d.status !== "pending" ? "Re-check now" : "Verify now"}</SubmitButton>
        </form>
        <ConfirmedForm action={remove} question={`Remove ${d.domain}? The portal stops answering on it at once.`}>
          <input type="hidden" name="tenantId" value={tenantId} />
          <input type="hidden" name="domainId" value={d.id} />
          <SubmitButton tone="danger" pendingLabel="Removing…" aria-label={`Remove ${d.domain}`}>
            Remove
          </SubmitButton>
        </ConfirmedForm>
      </div>
      <ResultMessage state={verifyState} />
    </li>
  );
}
