// The console's cross-tenant CSV: a plain GET form to /reports/export (every
// customer the caller may export reports of, one row each).
/** `problem`: why the last period was refused (the route sends a browser back here with its dates). */
export function CrossTenantExport(props: { from: string; to: string; problem?: string }) {
  const input = "mt-1 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900";
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-4" aria-labelledby="export-heading">
      <h2 id="export-heading" className="mb-1 text-base font-semibold text-slate-900">
        All customers, one CSV
      </h2>
      <p className="mb-3 text-sm text-slate-700">Every customer&apos;s figures for a period (alerts by severity, closed, open at the end, MTTA, MTTR, assets), one row per customer.</p>
      <form method="get" action="/reports/export" className="flex flex-wrap items-end gap-3" data-testid="cross-tenant-export">
        <label className="flex flex-col text-xs font-medium text-slate-700">
          From (UTC)
          <input type="date" name="from" defaultValue={props.from} className={input} />
        </label>
        <label className="flex flex-col text-xs font-medium text-slate-700">
          To (UTC, inclusive)
          <input type="date" name="to" defaultValue={props.to} className={input} />
        </label>
        <button type="submit" className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50">
          Download CSV
        </button>
      </form>
      {props.problem && (
        <p role="alert" className="mt-2 text-sm text-red-700" data-testid="cross-tenant-export-problem">
          {props.problem} Nothing was downloaded.
        </p>
      )}
    </section>
  );
}
