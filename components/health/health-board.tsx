// The console's health board: one tile per customer and site, worst first,
// the filter chips by state, and the latest changes (the in-app notices).
import Link from "next/link";
import { FilterChip } from "@/components/ui/filter-chip";
import { BOARD_FILTERS, boardHref, FILTER_LABELS, type BoardQuery, type HealthBoard } from "@/lib/health/page-data";
import { RecentChanges } from "./recent-changes";
import { STATE_BORDER, StateBadge } from "./state-badge";

const when = (d: Date) => d.toISOString().replace("T", " ").slice(0, 16) + " UTC";

export function HealthBoardView({ board, query }: { board: HealthBoard; query: BoardQuery }) {
  return (
    <div className="space-y-6">
      <RecentChanges changes={board.recent} linkTo={(slug) => `/health/${slug}`} />
      <nav aria-label="Filter by state" className="flex flex-wrap gap-2">
        {BOARD_FILTERS.map((f) => (
          <FilterChip
            key={f}
            href={boardHref({ ...query, state: f })}
            label={FILTER_LABELS[f]}
            count={board.counts[f]}
            current={query.state === f}
            title={`Show ${FILTER_LABELS[f].toLowerCase()} tenants`}
            testId={`health-filter-${f}`}
            attentionTone={f === "down" && board.counts.down > 0 ? "bg-red-100 text-red-800" : f === "degraded" && board.counts.degraded > 0 ? "bg-amber-100 text-amber-900" : undefined}
          />
        ))}
      </nav>
      {board.tiles.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600" data-testid="health-filter-empty">
          No tenant is {FILTER_LABELS[query.state].toLowerCase()} right now. <Link className="underline" href={boardHref({ state: "all" })}>Show all</Link>.
        </p>
      ) : (
        <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-3" data-testid="health-tiles">
          {board.tiles.map((t) => (
            <li key={t.id} data-testid={`health-tile-${t.slug}`} data-state={t.state ?? "unknown"}>
              <Link
                href={`/health/${t.slug}`}
                className={`block h-full rounded-lg border border-l-4 border-slate-200 bg-white p-4 shadow-sm hover:bg-slate-50 ${STATE_BORDER[t.state ?? "unknown"]}`}
              >
                <div className="flex items-start justify-between gap-2">
                  <div>
                    <p className="font-medium text-slate-900">{t.name}</p>
                    <p className="text-xs text-slate-600">{t.kind === "site" ? `Site of ${t.parentName}` : "Customer"}</p>
                  </div>
                  <StateBadge state={t.state} />
                </div>
                {t.reasons.length > 0 ? (
                  <ul className="mt-2 space-y-0.5 text-sm text-slate-700">
                    {t.reasons.slice(0, 3).map((r) => (
                      <li key={r.kind}>{r.reason}</li>
                    ))}
                    {t.reasons.length > 3 && <li className="text-slate-600">and {t.reasons.length - 3} more</li>}
                  </ul>
                ) : (
                  <p className="mt-2 text-sm text-slate-600">{t.state ? "Every signal is ok." : "Evaluated within a minute by the health job."}</p>
                )}
                {t.since && <p className="mt-2 text-xs text-slate-600">Since {when(t.since)}</p>}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
