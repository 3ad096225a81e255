// One tenant's usage page (tenant host /usage, console /usage/<slug>): this
// month against the limits, then per metric a 30-day chart beside its table.
import type { UsageEmptyState } from "@/lib/usage/empty-state";
import type { TenantUsageData } from "@/lib/usage/page-data";
import { PageHeader } from "@/components/ui/page-header";
import { TableScroll } from "@/components/ui/table-scroll";
import { formatQuantity } from "./format";
import { LimitBar } from "./limit-bar";
import { UsageChart } from "./usage-chart";
import { UsageSources } from "./usage-sources";

export function UsageNotAllowed() {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="usage-not-allowed">
      <p className="text-sm font-medium text-slate-800">You can&apos;t see usage here.</p>
      <p className="mt-1 text-sm text-slate-500">Tenant admins and MSSP admins see usage and billing (billing:view).</p>
    </div>
  );
}

export function UsageNoTenant() {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="usage-no-tenant">
      <p className="text-sm font-medium text-slate-800">There is no customer here whose usage you can see.</p>
      <p className="mt-1 text-sm text-slate-500">The link may be old, or the customer is outside your MSSP.</p>
    </div>
  );
}

function EmptyUsage({ empty }: { empty: UsageEmptyState }) {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white p-8" data-testid="usage-empty">
      <p className="text-sm font-medium text-slate-800">{empty.title}</p>
      <p className="mt-1 text-sm text-slate-600">{empty.intro}</p>
      <UsageSources sources={empty.items} />
      <p className="mt-3 text-sm text-slate-700" data-testid="usage-empty-next">{empty.next}</p>
      {empty.action && (
        <a href={empty.action.href} className="mt-3 inline-block rounded-md bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-dark" data-testid="usage-empty-action">
          {empty.action.label}
        </a>
      )}
    </div>
  );
}

export function UsageView({ data, backHref }: { data: TenantUsageData; backHref?: string }) {
  return (
    <>
      {backHref && (
        <a href={backHref} className="mb-2 inline-block text-sm font-medium text-brand hover:underline">
          ← All customers
        </a>
      )}
      <PageHeader
        title={`Usage — ${data.tenant.name}`}
        // What the figures mean only above the figures: a caller the PDP denies billing:view sees the notice alone.
        description={
          data.allowed
            ? `${data.month} (UTC), ${data.tenant.kind === "site" ? "this site" : "this tenant and its sites"}. Counters are summed; assets, seats and storage show this month's peak.`
            : undefined
        }
      />
      {data.allowed && data.hidden > 0 && (
        // As the console's list says of the customers it leaves out: the figures below are without them.
        <p className="mb-3 text-sm text-slate-600" role="status" data-testid="usage-hidden">
          {data.hidden} tenant{data.hidden === 1 ? "" : "s"} below left out of these figures: you may not see their usage (billing:view).
        </p>
      )}
      {!data.allowed ? (
        <UsageNotAllowed />
      ) : data.empty ? (
        <EmptyUsage empty={data.empty} />
      ) : (
        <>
          <TableScroll labelledBy="this-month" className="mb-8 rounded-xl border border-slate-200 bg-white">
            <h2 id="this-month" className="px-4 pt-4 text-sm font-semibold text-slate-700">
              This month against your limits
            </h2>
            <table className="mt-2 min-w-full divide-y divide-slate-200 text-sm" data-testid="usage-month">
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="px-4 py-2">Metric</th>
                  <th className="px-4 py-2 text-right">This month</th>
                  <th className="px-4 py-2">Limit</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {data.metrics.map((m) => (
                  <tr key={m.metric} data-metric={m.metric}>
                    <td className="px-4 py-2">
                      <span className="font-medium text-slate-800">{m.label}</span>
                      <span className="ml-2 text-xs text-slate-500">{m.kind === "counter" ? "sum" : "peak"}</span>
                    </td>
                    <td className="px-4 py-2 text-right tabular-nums">{formatQuantity(m.totals.value, m.unit)}</td>
                    <td className="px-4 py-2">
                      {m.limit ? (
                        <LimitBar limit={m.limit} unit={m.unit} tenantId={data.tenant.id} />
                      ) : m.metric === "api_requests" && data.apiRatePerMinute ? (
                        <span className="text-xs text-slate-500">rate-limited at {data.apiRatePerMinute.toLocaleString("en-US")} a minute</span>
                      ) : (
                        <span className="text-xs text-slate-500">no limit</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <h2 className="mb-3 text-sm font-semibold text-slate-700">Last 30 days</h2>
          <div className="grid gap-4 lg:grid-cols-2">
            {data.metrics.map((m) => {
              const points = data.days.map((d) => ({ day: d.day, value: d.values[m.metric] }));
              const recent = points.filter((p) => p.value > 0).slice(-7).reverse();
              return (
                <section key={m.metric} className="rounded-xl border border-slate-200 bg-white p-4" data-testid={`usage-metric-${m.metric}`}>
                  <h3 className="text-sm font-medium text-slate-800">{m.label}</h3>
                  <div className="mt-2 grid gap-3 sm:grid-cols-[1fr_11rem]">
                    <UsageChart label={m.label} points={points} bytes={m.unit === "bytes"} />
                    <table className="text-xs">
                      <thead className="text-left text-slate-500">
                        <tr>
                          <th className="py-1 font-medium">Day</th>
                          <th className="py-1 text-right font-medium">{m.kind === "counter" ? "Total" : "Peak"}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {recent.length === 0 ? (
                          <tr>
                            <td colSpan={2} className="py-1 text-slate-500">
                              none in 30 days
                            </td>
                          </tr>
                        ) : (
                          recent.map((p) => (
                            <tr key={p.day}>
                              <td className="py-0.5 text-slate-600">{p.day}</td>
                              <td className="py-0.5 text-right tabular-nums">{formatQuantity(p.value, m.unit)}</td>
                            </tr>
                          ))
                        )}
                      </tbody>
                    </table>
                  </div>
                </section>
              );
            })}
          </div>
        </>
      )}
    </>
  );
}
