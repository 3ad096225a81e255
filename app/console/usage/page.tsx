import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { CustomerUsageTable } from "@/components/usage/customer-usage-table";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { Pager } from "@/components/ui/pager";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { applyUsageQuery, PAGE_SIZE, parseUsageListQuery, usageListHref } from "@/lib/usage/list-query";
import { loadCustomerUsage, nothingMetered, USAGE_SOURCES } from "@/lib/usage/page-data";
import { UsageSources } from "@/components/usage/usage-sources";

export const metadata: Metadata = { title: "Usage" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConsoleUsage(props: Props) {
  const { query, problems } = parseUsageListQuery(await props.searchParams);
  const page = await consolePage("/usage");
  let data;
  try {
    data = await page.run(async (tx) => (isOperator(tx) ? loadCustomerUsage(tx) : null));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) forbidden();
  const shown = applyUsageQuery(data.rows, query);
  return (
    <>
      <PageHeader
        title="Usage"
        description={`Every customer's usage in ${data.month} (UTC), its sites included: counters summed, assets, seats and storage at this month's peak. Rolled up every hour.`}
      />
      <Notice messages={problems} />
      <form className="mb-4 flex gap-2" method="get">
        <input type="hidden" name="sort" value={query.sort} />
        <input type="hidden" name="dir" value={query.dir} />
        <label className="sr-only" htmlFor="usage-q">
          Search customers
        </label>
        <input id="usage-q" name="q" defaultValue={query.q ?? ""} placeholder="Search customers" className="w-64 rounded-md border border-slate-300 px-3 py-1.5 text-sm" />
        <button className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100">Search</button>
      </form>
      {data.hidden > 0 && (
        <p className="mb-3 text-sm text-slate-500" role="status">
          {data.hidden} customer{data.hidden === 1 ? "" : "s"} left out: you may not see their usage (billing:view).
        </p>
      )}
      {data.rows.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="usage-no-customers">
          <p className="text-sm font-medium text-slate-800">No customers whose usage you can see.</p>
          <p className="mt-1 text-sm text-slate-500">MSSP admins see every customer&apos;s usage here once the first customer is provisioned.</p>
        </div>
      ) : shown.total === 0 ? (
        <p className="text-sm text-slate-600">No customer matches &quot;{query.q}&quot;.</p>
      ) : (
        <div>
          {nothingMetered(data.rows) && (
            <div className="mb-4 rounded-xl border border-dashed border-slate-300 bg-white p-6" data-testid="usage-nothing-metered">
              <p className="text-sm font-medium text-slate-800">Nothing metered yet in {data.month}.</p>
              <p className="mt-1 text-sm text-slate-500">
                Counters are rolled up every hour (the current hour is not in yet); assets, seats and storage come from the nightly snapshot. Each reading comes from:
              </p>
              <UsageSources sources={USAGE_SOURCES} />
            </div>
          )}
          <CustomerUsageTable rows={shown.rows} query={{ ...query, page: shown.page }} />
          <Pager
            total={shown.total}
            noun="customer"
            page={shown.page}
            pageCount={shown.pages}
            pageSize={PAGE_SIZE}
            hrefFor={(p) => usageListHref({ ...query, page: p })}
            testId="usage-count"
          />
        </div>
      )}
    </>
  );
}
