import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { BenchmarkView } from "@/components/analytics/benchmark-view";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { loadBenchmark, parseBenchmarkQuery } from "@/lib/analytics/peers-benchmark";
import { isPdpUnavailable } from "@/lib/authz";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Benchmark" };

type Props = { params: Promise<{ tenant: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function BenchmarkPage(props: Props) {
  const { tenant: slug } = await props.params;
  const { query, problems } = parseBenchmarkQuery(await props.searchParams);
  const page = await tenantPage(slug, "/benchmark");
  let data;
  try {
    data = await page.run((tx) => loadBenchmark(tx, page.tenant.id, query));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) notFound();
  return (
    <>
      <PageHeader title="Benchmark" description={`Where ${data.tenantName} stands among the other customers of its provider, per metric. No other customer is named or shown.`} />
      <Notice messages={problems} />
      {data.state === "not-allowed" ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="benchmark-not-allowed">
          <p className="text-sm font-medium text-slate-800">You can&apos;t see the benchmark here.</p>
          <p className="mt-1 text-sm text-slate-600">Tenant admins see it (benchmark:view); ask one of them.</p>
        </div>
      ) : data.state === "not-a-customer" ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="benchmark-not-customer">
          <p className="text-sm font-medium text-slate-800">Benchmarks compare customers, not sites.</p>
          <p className="mt-1 text-sm text-slate-600">Open the benchmark on your customer&apos;s own portal.</p>
        </div>
      ) : data.state === "not-active" ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="benchmark-not-active">
          <p className="text-sm font-medium text-slate-800">Benchmarks cover active customers.</p>
          <p className="mt-1 text-sm text-slate-600">{data.tenantName} is not active (suspended, or still being set up), so it has no benchmark until it is active again.</p>
        </div>
      ) : (
        <BenchmarkView data={data} />
      )}
    </>
  );
}
