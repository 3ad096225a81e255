// The Credentials page's filters: status chips with their counts (links that
// keep the search and connector) and a GET search form (the URL is the
// state, so a view can be bookmarked or shared with a colleague).
import { FilterChip } from "@/components/ui/filter-chip";
import { CONNECTOR_KINDS, CONNECTORS } from "@/lib/credentials/connectors";
import {
  OVERVIEW_STATUS_HINTS,
  OVERVIEW_STATUS_LABELS,
  OVERVIEW_STATUSES,
  overviewHref,
  type OverviewData,
  type OverviewStatus,
} from "@/lib/credentials/overview";

const ATTENTION: Partial<Record<OverviewStatus, string>> = {
  expired: "bg-red-100 text-red-800",
  expiring: "bg-amber-100 text-amber-900",
};

export function ConsoleCredentialsFilters({ data }: { data: Pick<OverviewData, "query" | "counts" | "summary"> }) {
  const { query, counts } = data;
  const field = "rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm focus:border-brand focus:outline-none";
  return (
    <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
      <nav aria-label="Filter by status" className="flex flex-wrap gap-2">
        {OVERVIEW_STATUSES.map((s) => (
          <FilterChip
            key={s}
            href={overviewHref({ q: query.q, connector: query.connector, status: s })}
            label={OVERVIEW_STATUS_LABELS[s]}
            count={counts[s]}
            current={s === query.status}
            title={OVERVIEW_STATUS_HINTS[s]}
            testId={`credentials-status-${s}`}
            attentionTone={counts[s] > 0 ? ATTENTION[s] : undefined}
          />
        ))}
      </nav>
      <form method="get" role="search" aria-label="Search credentials" className="flex flex-wrap items-center gap-2">
        {query.status !== "all" && <input type="hidden" name="status" value={query.status} />}
        <label htmlFor="credentials-q" className="sr-only">
          Credential or tenant
        </label>
        <input
          id="credentials-q"
          type="search"
          name="q"
          defaultValue={query.q ?? ""}
          maxLength={100}
          placeholder="Credential or tenant"
          className={`w-56 ${field}`}
        />
        <label htmlFor="credentials-connector" className="sr-only">
          Connector
        </label>
        <select id="credentials-connector" name="connector" defaultValue={query.connector ?? ""} className={field}>
          <option value="">All connectors</option>
          {CONNECTOR_KINDS.map((k) => (
            <option key={k} value={k}>
              {CONNECTORS[k].shortLabel} ({(data.summary.byConnector.find((c) => c.connector === k)?.total ?? 0).toLocaleString("en")})
            </option>
          ))}
        </select>
        <button type="submit" className="rounded-lg bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-dark">
          Search
        </button>
        {(query.q || query.connector) && (
          <a href={overviewHref({ status: query.status })} className="px-1 text-sm text-slate-500 hover:text-slate-800">
            Clear
          </a>
        )}
      </form>
    </div>
  );
}
