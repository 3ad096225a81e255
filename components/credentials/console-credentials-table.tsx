// One page of credentials across tenants, most urgent first: the tenant, the
// credential, its connector, the masked secret, its dates and expiry, and a
// link to that tenant's credentials in the console (where it is managed).
import { FilteredEmpty } from "@/components/ui/filtered-empty";
import { Pager } from "@/components/ui/pager";
import { TableScroll } from "@/components/ui/table-scroll";
import { CONNECTORS } from "@/lib/credentials/connectors";
import { EXPIRING_DAYS } from "@/lib/credentials/store";
import { overviewHref, type CredentialsOverview, type OverviewStatus } from "@/lib/credentials/overview";
import { ConnectorBadge } from "./connector-badge";
import { ExpiryBadge, formatDate } from "./expiry-badge";

type Data = Extract<CredentialsOverview, { allowed: true }>;

const KIND_STYLES: Record<string, string> = {
  mssp: "bg-indigo-100 text-indigo-700",
  customer: "bg-emerald-100 text-emerald-700",
  site: "bg-slate-100 text-slate-600",
};

const STATUS_PHRASES: Record<Exclude<OverviewStatus, "all">, string> = {
  expired: "expired",
  expiring: "expiring",
  "never-used": "never used",
  healthy: "healthy",
};

const NOTHING_TO_DO: Record<Exclude<OverviewStatus, "all">, string> = {
  expired: "No credential has expired: nothing to do here.",
  expiring: `Nothing expires in the next ${EXPIRING_DAYS} days.`,
  "never-used": "Every credential has been used at least once.",
  healthy: "Every credential is expired, expiring or not used yet: start with the expired ones.",
};

function emptyCopy(data: Data) {
  const { q, connector, status } = data.query;
  const what = `${status === "all" ? "" : `${STATUS_PHRASES[status]} `}${connector ? `${CONNECTORS[connector].shortLabel} ` : ""}credentials`;
  const title = q ? `No ${what} match “${q}”.` : `No ${what}.`;
  const hint =
    !q && !connector && status !== "all"
      ? NOTHING_TO_DO[status]
      : data.counts.all > 0 && status !== "all"
        ? `${data.counts.all.toLocaleString("en")} credential${data.counts.all === 1 ? " matches" : "s match"} under All; pick another status or clear the filters.`
        : q
          ? "Check the spelling, or search for part of a credential's name or a tenant's name or slug."
          : "Pick another connector, or clear the filters to see every credential.";
  return { title: title[0].toUpperCase() + title.slice(1), hint };
}

/** The console page where one tenant's credentials are managed (or viewed). */
function manageHref(tenantSlug: string): string {
  return `/credentials/manage?tenant=${encodeURIComponent(tenantSlug)}`;
}

export function ConsoleCredentialsTable({ data }: { data: Data }) {
  const { query, rows } = data;
  if (rows.length === 0) {
    const copy = emptyCopy(data);
    return (
      <FilteredEmpty
        testId="credentials-empty"
        filtered
        title={{ empty: copy.title, filtered: copy.title }}
        hint={{ empty: copy.hint, filtered: copy.hint }}
      />
    );
  }
  const th = "px-3 py-3";
  const td = "whitespace-nowrap px-3 py-3 align-top text-sm text-slate-600";
  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
      <TableScroll label="Credentials">
        <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="console-credentials-table">
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
            <tr>
              <th className="py-3 pl-4 pr-3">Tenant</th>
              <th className={th}>Credential</th>
              <th className={th}>Connector</th>
              <th className={th}>Secret</th>
              <th className={th}>Created <span className="normal-case font-normal">(UTC)</span></th>
              <th className={th}>Rotated <span className="normal-case font-normal">(UTC)</span></th>
              <th className={th}>Last used <span className="normal-case font-normal">(UTC)</span></th>
              <th className={th}>Expires <span className="normal-case font-normal">(UTC)</span></th>
              <th className="py-3 pl-3 pr-4 text-right">
                <span className="sr-only">Where it is managed</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((c) => {
              return (
                <tr
                  key={`${c.tenantId}:${c.id}`}
                  className={c.status === "expired" ? "bg-red-50/50 hover:bg-red-50" : "hover:bg-slate-50"}
                  data-testid={`console-credential-${c.tenantSlug}-${c.name}`}
                  data-status={c.status}
                >
                  <td className="py-3 pl-4 pr-3 align-top">
                    <div className="flex items-center gap-2">
                      <span className="font-medium text-slate-800">{c.tenantName}</span>
                      <span className={`rounded px-1.5 py-0.5 text-[10px] font-semibold uppercase ${KIND_STYLES[c.tenantKind]}`}>{c.tenantKind}</span>
                      {c.tenantStatus === "suspended" && (
                        <span className="rounded bg-amber-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-amber-800">suspended</span>
                      )}
                    </div>
                    <div className="mt-0.5 font-mono text-xs text-slate-500">{c.tenantSlug}</div>
                  </td>
                  <td className="max-w-[14rem] truncate px-3 py-3 align-top font-medium text-slate-800" title={c.name}>
                    {c.name}
                  </td>
                  <td className="px-3 py-3 align-top">
                    <ConnectorBadge kind={c.connector} label={CONNECTORS[c.connector].shortLabel} />
                  </td>
                  <td className={`${td} font-mono text-slate-700`} title="Only the last four characters are kept in the clear" data-testid="masked-secret">
                    {c.masked}
                  </td>
                  <td className={td}>{formatDate(c.createdAt.toISOString())}</td>
                  <td className={td}>{formatDate(c.rotatedAt?.toISOString() ?? null, "Never")}</td>
                  <td className={td} data-testid="last-used">
                    {c.lastUsedAt ? formatDate(c.lastUsedAt.toISOString()) : <span className="text-slate-500">Never</span>}
                  </td>
                  <td className="px-3 py-3 align-top">
                    <ExpiryBadge credential={{ status: c.status, daysLeft: c.daysLeft, expiresAt: c.expiresAt?.toISOString() ?? null }} />
                  </td>
                  <td className="whitespace-nowrap py-3 pl-3 pr-4 text-right align-top">
                    <a
                      href={manageHref(c.tenantSlug)}
                      className="rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50"
                      title={`${c.canManage ? "Manage" : "View"} ${c.tenantName}'s credentials`}
                    >
                      {c.canManage ? "Manage" : "View"}
                      <span className="sr-only">
                        {" "}
                        {c.name} of {c.tenantName}
                      </span>
                    </a>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
      <Pager
        total={data.total}
        noun="credential"
        page={query.page}
        pageCount={data.pageCount}
        pageSize={data.pageSize}
        hrefFor={(page) => overviewHref({ ...query, page })}
        testId="credentials-total"
      />
    </div>
  );
}
