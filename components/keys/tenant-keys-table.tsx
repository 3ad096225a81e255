// The tenants below the caller's MSSP in tree order, one page of 50 at a
// time, with a search and filter chips above (plain GET links and a GET form:
// the URL is the state, so a view can be shared), each row with its data key
// version, credentials per key version, last rotation and rotate control.
import { FilteredEmpty } from "@/components/ui/filtered-empty";
import { FilterChip } from "@/components/ui/filter-chip";
import { Pager } from "@/components/ui/pager";
import { TableScroll } from "@/components/ui/table-scroll";
import { KEY_FILTER_LABELS, KEY_FILTERS, keysHref, type KeyFilter, type KeysPageData } from "@/lib/vault/rotation-page";
import { KeyRow } from "./key-row";

const FILTER_HINTS: Record<KeyFilter, string> = {
  all: "Every tenant you operate",
  "with-credentials": "Tenants with at least one sealed credential",
  "rotation-pending": "A rotation is queued, running or failed, or credentials still wait on a retiring key",
  "never-rotated": "No data key rotation has ever finished for these tenants",
};

function Toolbar({ data }: { data: KeysPageData }) {
  const { query, counts } = data;
  return (
    <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
      <nav aria-label="Filter tenants" className="flex flex-wrap gap-2">
        {KEY_FILTERS.map((f) => (
          <FilterChip
            key={f}
            href={keysHref({ q: query.q, filter: f })}
            label={KEY_FILTER_LABELS[f]}
            count={counts[f]}
            current={f === query.filter}
            title={FILTER_HINTS[f]}
            testId={`keys-filter-${f}`}
            attentionTone={f === "rotation-pending" && counts[f] > 0 ? "bg-amber-100 text-amber-900" : undefined}
          />
        ))}
      </nav>
      {/* Full width on a phone (the box shrinks to fit beside its buttons); 16 rem beside the chips above. */}
      <form method="get" role="search" aria-label="Search tenants" className="flex w-full items-center gap-2 sm:w-auto">
        {query.filter !== "all" && <input type="hidden" name="filter" value={query.filter} />}
        <label htmlFor="keys-q" className="sr-only">
          Tenant name or slug
        </label>
        <input
          id="keys-q"
          type="search"
          name="q"
          defaultValue={query.q ?? ""}
          maxLength={100}
          placeholder="Tenant name or slug"
          className="min-w-0 flex-1 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm focus:border-brand focus:outline-none sm:w-64 sm:flex-none"
        />
        <button type="submit" className="rounded-lg bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-dark">
          Search
        </button>
        {query.q && (
          <a href={keysHref({ filter: query.filter })} className="px-1 text-sm text-slate-500 hover:text-slate-800">
            Clear
          </a>
        )}
      </form>
    </div>
  );
}

const FILTER_PHRASES: Record<Exclude<KeyFilter, "all">, string> = {
  "with-credentials": "with credentials",
  "rotation-pending": "with a rotation pending",
  "never-rotated": "that were never rotated",
};

function emptyCopy(data: KeysPageData) {
  const { q, filter } = data.query;
  const phrase = filter === "all" ? "" : ` ${FILTER_PHRASES[filter]}`;
  const title = q ? `No tenants match “${q}”${phrase}.` : `No tenants${phrase}.`;
  const hint =
    filter === "rotation-pending" && !q
      ? "Every rotation has finished and no credential waits on a retiring key: nothing to do here."
      : filter === "never-rotated" && !q
        ? "Every tenant's data key has been rotated at least once."
        : q && data.counts.all === 0
          ? "Check the spelling, or search for part of the tenant's name or slug."
          : q
            ? `${data.counts.all.toLocaleString("en")} tenant${data.counts.all === 1 ? " matches" : "s match"} the search under All tenants; pick another filter or clear the search.`
            : "Pick another filter, or clear the filters to see every tenant.";
  return { title, hint };
}

export function TenantKeysTable({ data }: { data: KeysPageData }) {
  const { query, tenants: rows } = data;
  const isFiltered = query.q !== null || query.filter !== "all";
  const copy = emptyCopy(data);
  // A row names its parent when the parent is not on the page above it.
  const shown = new Set<string>();
  return (
    <>
      <Toolbar data={data} />
      {rows.length === 0 ? (
        <FilteredEmpty
          testId="keys-empty"
          filtered={isFiltered}
          title={{ empty: "No tenants to show.", filtered: copy.title }}
          hint={{
            empty: "Tenants you operate appear here with their data keys once they are provisioned.",
            filtered: copy.hint,
          }}
        />
      ) : (
        <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
          <TableScroll label="Tenant data keys">
            <table className="w-full min-w-[48rem] divide-y divide-slate-200 text-sm" data-testid="tenant-keys">
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="px-4 py-3">Tenant</th>
                  <th className="px-4 py-3">Data key</th>
                  <th className="px-4 py-3">Credentials</th>
                  <th className="px-4 py-3">Last rotation</th>
                  <th className="w-72 px-4 py-3 text-right">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((row) => {
                  const showParent = row.parentId !== null && !shown.has(row.parentId);
                  shown.add(row.id);
                  return <KeyRow key={row.id} initial={row} showParent={showParent} timeZone={data.timeZone} />;
                })}
              </tbody>
            </table>
          </TableScroll>
          <Pager
            total={data.total}
            noun="tenant"
            page={query.page}
            pageCount={data.pageCount}
            pageSize={data.pageSize}
            hrefFor={(page) => keysHref({ ...query, page })}
            testId="keys-total"
          />
        </div>
      )}
    </>
  );
}
