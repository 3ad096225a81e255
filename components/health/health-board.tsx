// The console's health board: the counts per state (the filter chips), a
// search by name or slug, one page of tiles worst first, and the latest
// changes (the in-app notices). An MSSP runs a thousand customers: the board
// draws one page of them, never all; every tenant is reached by the search,
// the state filter or the pages. Receives data only; times are in
// board.timeZone (the operator's MSSP's locale.time_zone).
import Link from "next/link";
import { FilterChip } from "@/components/ui/filter-chip";
import { Pager } from "@/components/ui/pager";
import { BOARD_FILTERS, boardHref, FILTER_LABELS, type BoardQuery, type HealthBoard } from "@/lib/health/page-data";
import { formatTimeWithZone } from "@/lib/locale/time";
import { RecentChanges } from "./recent-changes";
import { STATE_BORDER, StateBadge } from "./state-badge";

const n = (x: number) => x.toLocaleString("en");

export function HealthBoardView({ board }: { board: HealthBoard }) {
  const query = board.query;
  const attention = board.counts.down + board.counts.degraded;
  const matching = board.counts[query.state];
  return (
    <div className="space-y-6">
      <section aria-labelledby="health-summary" className="space-y-3" data-testid="health-summary">
        <h2 id="health-summary" className="sr-only">
          Summary
        </h2>
        <p className="text-sm text-slate-700">
          {query.q ? (
            <>
              {n(board.counts.all)} of {n(board.scope)} customers and sites match “{query.q}”.{" "}
            </>
          ) : (
            <>{n(board.scope)} customers and sites. </>
          )}
          {attention > 0 ? (
            <strong className="font-semibold text-slate-900" data-testid="health-attention">
              {n(attention)} need{attention === 1 ? "s" : ""} attention ({n(board.counts.down)} down, {n(board.counts.degraded)} degraded): they come first.
            </strong>
          ) : board.counts.all > 0 ? (
            "None is down or degraded."
          ) : null}
        </p>
        <nav aria-label="Filter by state" className="flex flex-wrap gap-2">
          {BOARD_FILTERS.map((f) => (
            <FilterChip
              key={f}
              href={boardHref({ ...query, state: f, page: 1 })}
              label={FILTER_LABELS[f]}
              count={board.counts[f]}
              current={query.state === f}
              title={`Show ${FILTER_LABELS[f].toLowerCase()} tenants`}
              testId={`health-filter-${f}`}
              attentionTone={f === "down" && board.counts.down > 0 ? "bg-red-100 text-red-800" : f === "degraded" && board.counts.degraded > 0 ? "bg-amber-100 text-amber-900" : undefined}
            />
          ))}
        </nav>
        <form method="get" action="/health" role="search" aria-label="Find a customer or site" className="flex flex-wrap items-end gap-2">
          {query.state !== "all" && <input type="hidden" name="state" value={query.state} />}
          <label className="flex flex-col text-xs font-medium text-slate-600">
            Customer or site
            <input
              type="search"
              name="q"
              defaultValue={query.q ?? ""}
              maxLength={100}
              placeholder={`Name or slug (${n(board.scope)} tenants)`}
              className="mt-1 w-72 rounded-md border border-slate-300 px-2 py-1.5 text-sm text-slate-900"
              data-testid="health-search"
            />
          </label>
          <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50">
            Find
          </button>
          {query.q && (
            <Link className="px-1 py-1.5 text-sm text-slate-600 underline" href={boardHref({ state: query.state })}>
              Clear the search
            </Link>
          )}
        </form>
      </section>

      <RecentChanges changes={board.recent} linkTo={(slug) => `/health/${slug}`} timeZone={board.timeZone} />

      {board.tiles.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600" data-testid="health-filter-empty">
          {query.q ? (
            <>
              No {query.state === "all" ? "" : `${FILTER_LABELS[query.state].toLowerCase()} `}customer or site matches “{query.q}”. Check the spelling, or{" "}
              <Link className="underline" href={boardHref({ state: query.state })}>
                clear the search
              </Link>
              .
            </>
          ) : (
            <>
              No tenant is {FILTER_LABELS[query.state].toLowerCase()} right now.{" "}
              <Link className="underline" href={boardHref({})}>
                Show all
              </Link>
              .
            </>
          )}
        </p>
      ) : (
        <section aria-label="Tenants, worst first" className="overflow-hidden rounded-xl border border-slate-200 bg-slate-50">
          <ul className="grid grid-cols-1 gap-3 p-3 sm:grid-cols-2 xl:grid-cols-3" data-testid="health-tiles">
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
                  {t.since && (
                    <p className="mt-2 text-xs text-slate-600">
                      Since <time dateTime={t.since.toISOString()}>{formatTimeWithZone(t.since, board.timeZone)}</time>
                    </p>
                  )}
                </Link>
              </li>
            ))}
          </ul>
          <Pager
            total={matching}
            noun="tenant"
            page={query.page}
            pageCount={board.pageCount}
            pageSize={board.pageSize}
            hrefFor={(page) => boardHref({ ...query, page })}
            testId="health-pager"
          />
        </section>
      )}
    </div>
  );
}
