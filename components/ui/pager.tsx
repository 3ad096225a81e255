// The footer of a paged table: the count, and previous/next links built by
// the caller (the URL carries the filters, so pages can be shared).
export function Pager(props: {
  total: number;
  noun: string;
  page: number;
  pageCount: number;
  hrefFor: (page: number) => string;
  testId: string;
  /** With the page size the count reads "1–50 of 1,675 tenants" (the rows shown, of all). */
  pageSize?: number;
  /** The count stopped at `total`: it reads "10,000+", and the last page asks for narrower filters. */
  totalIsLowerBound?: boolean;
}) {
  const { total, page, pageCount, pageSize } = props;
  const noun = `${props.noun}${total === 1 ? "" : "s"}`;
  const from = pageSize ? Math.min(total, (page - 1) * pageSize + 1) : 0;
  const to = pageSize ? Math.min(total, page * pageSize) : 0;
  const link = "rounded-md border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100";
  return (
    <div className="flex items-center justify-between border-t border-slate-200 bg-slate-50 px-4 py-3 text-sm text-slate-600">
      <span data-testid={props.testId}>
        {pageSize ? `${from.toLocaleString("en")}–${to.toLocaleString("en")} of ` : ""}
        {total.toLocaleString("en")}
        {props.totalIsLowerBound ? "+" : ""} {noun} · page {page} of {pageCount}
        {props.totalIsLowerBound && page === pageCount ? " · narrow the filters to reach older ones" : ""}
      </span>
      <div className="flex gap-2">
        {page > 1 ? (
          <a className={link} href={props.hrefFor(page - 1)}>
            ← Previous
          </a>
        ) : null}
        {page < pageCount ? (
          <a className={link} href={props.hrefFor(page + 1)}>
            Next →
          </a>
        ) : null}
      </div>
    </div>
  );
}
