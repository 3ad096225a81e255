import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { CompareView } from "@/components/analytics/compare-view";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { loadComparison } from "@/lib/analytics/compare";
import { parseCompareQuery, PLAN_GROUP_IGNORED } from "@/lib/analytics/compare-query";
import { isPdpUnavailable } from "@/lib/authz";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Compare customers" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ComparePage(props: Props) {
  const { query, problems, typed } = parseCompareQuery(await props.searchParams);
  const page = await consolePage("/compare");
  let data;
  try {
    data = await page.run(async (tx) => (isOperator(tx) ? loadComparison(tx, query) : null));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data?.allowed) forbidden();
  const notes = data.groupIgnored ? [...problems, PLAN_GROUP_IGNORED] : problems;
  const shownQuery = data.groupIgnored ? { ...query, group: null } : query;
  return (
    <>
      <PageHeader
        title="Compare customers"
        description="Customers side by side, normalised per asset, from the alert rollups; each value's percentile among your customers."
      />
      <Notice messages={notes} />
      <CompareView data={data} query={shownQuery} typed={typed} />
    </>
  );
}
