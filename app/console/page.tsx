import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { OpenAlertsChart } from "@/components/charts/open-alerts-chart";
import { CredentialsAttention } from "@/components/credentials/credentials-attention";
import { TenantTreeTable } from "@/components/tenants/tenant-tree-table";
import { PageHeader } from "@/components/ui/page-header";
import { readableAlertTenants } from "@/lib/alerts/access";
import { isPdpUnavailable } from "@/lib/authz";
import { loadCredentialsAttention } from "@/lib/credentials/overview";
import type { TenantTx } from "@/lib/db/with-tenant";
import { overviewOf } from "@/lib/tenancy/overview";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { loadTenantTree } from "@/lib/tenancy/tree";

export const metadata: Metadata = { title: "Overview" };

function Stat(props: { label: string; value: number; tone?: string; testId?: string }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <div className="text-xs font-medium uppercase tracking-wide text-slate-500">{props.label}</div>
      <div className={`mt-1 text-3xl font-semibold tabular-nums ${props.tone ?? "text-slate-900"}`} data-testid={props.testId}>
        {props.value.toLocaleString("en")}
      </div>
    </div>
  );
}

export default async function ConsoleOverview() {
  const page = await consolePage("/");
  const data = await page.run(async (tx) => {
    if (!isOperator(tx)) return null;
    const readable = await alertsReadable(tx);
    return { roots: await loadTenantTree(tx.db, readable ?? new Set()), credentials: await credentialsAttention(tx), pdpDown: readable === null };
  });
  if (!data) redirect("/tenants");
  const { credentials, pdpDown } = data;
  // Every figure over every tenant; the chart and the table only for the customers to look at first (lib/tenancy/overview.ts).
  const { customers, open, critical, onFire, hiddenCount, chartRows, moreWithOpen, tree, treeCustomers } = overviewOf(data.roots);

  return (
    <>
      <PageHeader title="Overview" description="Open alerts (new, acknowledged or in progress) across every tenant you operate." />
      <div className="mb-6 grid gap-4 sm:grid-cols-4">
        <Stat label="Customers" value={customers} testId="stat-customers" />
        <Stat label="Open alerts" value={open} testId="stat-open" />
        <Stat label="Open critical" value={critical} tone="text-red-600" testId="stat-critical" />
        <Stat label="Customers with criticals" value={onFire} tone={onFire ? "text-orange-600" : "text-emerald-600"} />
      </div>
      {pdpDown ? (
        <p role="status" className="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-800">
          Alert counts are not shown: the policy service is not answering. Reload in a minute; if it persists, check the PDP (Cerbos).
        </p>
      ) : hiddenCount > 0 ? (
        <p role="status" className="mb-4 text-sm text-slate-500" data-testid="alerts-hidden-note">
          {hiddenCount === 1 ? "One tenant's" : `${hiddenCount} tenants'`} alerts are not counted: their policy does not let you read them.
        </p>
      ) : null}
      {credentials && <CredentialsAttention counts={credentials} />}
      {customers === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center">
          <p className="text-sm font-medium text-slate-800">No customers yet.</p>
          <p className="mt-1 text-sm text-slate-500">
            Onboard the first one under{" "}
            <a href="/customers" className="font-medium text-brand hover:underline">
              Customers
            </a>
            .
          </p>
        </div>
      ) : (
        <>
          <section className="mb-8 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <h2 className="mb-2 text-sm font-semibold text-slate-700">
              {moreWithOpen > 0 ? `Open alerts: the ${chartRows.length} customers with the most severe` : "Open alerts by customer"}
            </h2>
            {chartRows.length > 0 ? (
              <OpenAlertsChart rows={chartRows} />
            ) : (
              <p className="text-sm text-slate-600" data-testid="overview-no-open">No customer has an open alert.</p>
            )}
            {moreWithOpen > 0 && (
              <p className="mt-2 text-sm text-slate-600" data-testid="overview-more-open">
                {moreWithOpen.toLocaleString("en")} more {moreWithOpen === 1 ? "customer has" : "customers have"} open alerts:{" "}
                <a href="/alerts?status=open" className="font-medium text-brand hover:underline">
                  see every open alert
                </a>{" "}
                or rank customers over time on the{" "}
                <a href="/dashboard" className="font-medium text-brand hover:underline">
                  Dashboard
                </a>
                .
              </p>
            )}
          </section>
          <section>
            <h2 className="mb-2 text-sm font-semibold text-slate-700">
              {treeCustomers === null ? "Tenant tree" : `Tenant tree: the ${treeCustomers} customers with the most severe open alerts`}
            </h2>
            <TenantTreeTable roots={tree} />
            {treeCustomers !== null && (
              <p className="mt-2 text-sm text-slate-600" data-testid="overview-tree-partial">
                Showing {treeCustomers} of {customers.toLocaleString("en")} customers, with their sites.{" "}
                <a href="/customers" className="font-medium text-brand hover:underline">
                  Customers
                </a>{" "}
                lists every one, with search and paging.
              </p>
            )}
          </section>
        </>
      )}
    </>
  );
}

/** Tenants whose alerts the PDP lets the caller count, or null when it cannot answer (the tree still renders, without counts). */
async function alertsReadable(tx: TenantTx): Promise<Set<string> | null> {
  try {
    return await readableAlertTenants(tx);
  } catch (error) {
    if (isPdpUnavailable(error)) return null;
    throw error;
  }
}

/** The credentials line, or nothing when the PDP does not allow it or cannot answer (the rest of the page does not need the PDP). */
async function credentialsAttention(tx: TenantTx) {
  try {
    return await loadCredentialsAttention(tx);
  } catch (error) {
    if (isPdpUnavailable(error)) return null;
    throw error;
  }
}
