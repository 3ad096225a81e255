import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { HealthBoardView } from "@/components/health/health-board";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { loadHealthBoard, parseBoardQuery } from "@/lib/health/page-data";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Health" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConsoleHealth(props: Props) {
  const { query, problems } = parseBoardQuery(await props.searchParams);
  const page = await consolePage("/health");
  let board;
  try {
    board = await page.run(async (tx) => (isOperator(tx) ? loadHealthBoard(tx, query) : null));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!board) forbidden();
  return (
    <>
      <PageHeader
        title="Health"
        description="Every customer and site, worst first: collectors, alert freshness, connectors, jobs, API refusals, quotas, sign-in failures and denied attempts, evaluated every minute. Thresholds are the health.* settings (Configuration)."
      />
      <Notice messages={problems} />
      {board.hidden > 0 && (
        <p className="mb-3 text-sm text-slate-600" role="status">
          {board.hidden.toLocaleString("en")} tenant{board.hidden === 1 ? "" : "s"} left out: you may not see their health.
        </p>
      )}
      {board.scope === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="health-no-customers">
          <p className="text-sm font-medium text-slate-800">No customers whose health you can see.</p>
          <p className="mt-1 text-sm text-slate-600">Provision a customer (Customers → New customer or site); its health appears here within a minute.</p>
        </div>
      ) : (
        <HealthBoardView board={board} />
      )}
    </>
  );
}
