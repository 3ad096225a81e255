// The tenant host's benchmark: the tenant's own value per metric and where it
// stands among anonymous peers (a percentile), never another customer's name,
// figure or exact count (a band: "5–9 peers"). With fewer than 5 peers the
// caller cannot see, or a group that is all customers but 1 to 4, nothing but
// the reason.
import { BENCHMARK_GROUPS, BENCHMARK_GROUP_LABELS } from "@/lib/analytics/peers";
import { formatMetric, METRIC_DEFINITIONS } from "@/lib/analytics/compare-metrics";
import { PEER_BANDS, type BenchmarkData, type BenchmarkMetric } from "@/lib/analytics/peers-benchmark";
import { RANGE_PRESETS } from "@/lib/analytics/compare-query";
import { MIN_PEER_GROUP } from "@/lib/analytics/percentile";

type Ready = Extract<BenchmarkData, { state: "ready" }>;

function Empty({ title, children, testId }: { title: string; children: React.ReactNode; testId: string }) {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center" data-testid={testId} role="status">
      <p className="text-sm font-medium text-slate-800">{title}</p>
      <p className="mt-1 text-sm text-slate-600">{children}</p>
    </div>
  );
}

function MetricCard({ m }: { m: BenchmarkMetric }) {
  const d = METRIC_DEFINITIONS[m.metric];
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby={`bm-${m.metric}`} data-testid={`benchmark-${m.metric}`}>
      <h2 id={`bm-${m.metric}`} className="text-sm font-semibold text-slate-800">
        {d.label}
      </h2>
      <p className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{formatMetric(m.metric, m.value)}</p>
      {m.status === "ok" && m.percentile !== null ? (
        <>
          <div className="mt-3 h-2 w-full rounded-full bg-slate-200" role="img" aria-label={`Better than ${m.percentile}% of peers`}>
            <div className="h-2 rounded-full bg-brand" style={{ width: `${Math.max(2, m.percentile)}%` }} />
          </div>
          <p className="mt-2 text-sm text-slate-700">
            Better than <strong>{m.percentile}%</strong> of peers ({PEER_BANDS[m.peersBand ?? ""] ?? m.peersBand} anonymous peers).
          </p>
        </>
      ) : (
        <p className="mt-2 text-sm text-slate-600">
          {m.status === "no_value"
            ? "No value for this range (no assets, or nothing acknowledged or resolved yet), so no comparison."
            : m.status === "group_near_all"
              ? `This group leaves out fewer than ${MIN_PEER_GROUP} of all customers with a value for this metric, so no comparison: set against all customers, it could point at those few.`
              : `Fewer than ${MIN_PEER_GROUP} anonymous peers have a value for this metric, so no comparison.`}
        </p>
      )}
      <p className="mt-2 text-xs text-slate-600">{d.definition} Lower is better.</p>
    </section>
  );
}

export function BenchmarkView({ data }: { data: Ready }) {
  return (
    <>
      <form method="get" className="mb-5 flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3 text-sm" data-testid="benchmark-form">
        <label className="flex flex-col text-slate-700">
          Compared with
          <select name="group" defaultValue={data.query.group} className="mt-1 rounded-md border border-slate-300 px-2 py-1.5">
            {BENCHMARK_GROUPS.map((g) => (
              <option key={g} value={g}>
                {BENCHMARK_GROUP_LABELS[g]}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-slate-700">
          Over the last
          <select name="days" defaultValue={String(data.query.days)} className="mt-1 rounded-md border border-slate-300 px-2 py-1.5">
            {RANGE_PRESETS.map((d) => (
              <option key={d} value={d}>
                {d} days
              </option>
            ))}
          </select>
        </label>
        <button className="rounded-md bg-brand px-4 py-2 font-medium text-white hover:bg-brand-dark">Show</button>
      </form>
      <p className="mb-4 text-sm text-slate-700" data-testid="benchmark-summary">
        {data.groupLabel}
        {data.groupDetail ? ` (${data.groupDetail})` : ""}, {data.range.from} to {data.range.to} (UTC). Peers stay anonymous: you see only where you stand.
        {data.holdsOtherCustomers ? " Customers you can see yourself are not among your peers." : ""}
      </p>
      {data.hiddenTenants > 0 ? (
        <p className="mb-4 text-sm text-slate-700" role="status" data-testid="benchmark-hidden">
          Your values leave out {data.hiddenTenants === 1 ? "1 of your tenants" : `${data.hiddenTenants} of your tenants`} whose alerts you may not read.
        </p>
      ) : null}
      {data.noIndustry ? (
        <Empty title="Your industry is not set." testId="benchmark-no-industry">
          A tenant admin can set it under Settings → Profile → Industry; until then, compare with all customers or customers of your size.
        </Empty>
      ) : data.tooFewPeers ? (
        <Empty title={`Fewer than ${MIN_PEER_GROUP} anonymous peers in this group, so no benchmark is shown.`} testId="benchmark-too-few">
          With so few customers, a percentile could point at a particular one.
          {data.holdsOtherCustomers
            ? " Customers you can see yourself (other customers you belong to, or all of them for your provider's staff) are not counted as peers: compare those on their own pages or in the console."
            : " Choose a wider group, such as all customers of your provider."}
        </Empty>
      ) : data.nearAll ? (
        <Empty title="This group is nearly all customers of your provider, so no benchmark is shown." testId="benchmark-near-all">
          It leaves out fewer than {MIN_PEER_GROUP} of them, and setting it against all customers could point at those few. Compare with all customers instead.
        </Empty>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
          {data.metrics.map((m) => (
            <MetricCard key={m.metric} m={m} />
          ))}
        </div>
      )}
    </>
  );
}
