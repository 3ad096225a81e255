import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { CollectorStatusCard } from "@/components/collector/collector-status-card";
import { TenantDetailView } from "@/components/lifecycle/tenant-detail-view";
import { loadCollectorStatus } from "@/lib/collector/status";
import { loadTenantDetail } from "@/lib/lifecycle/detail-page";
import { moveTargetsFor } from "@/lib/lifecycle/move-targets";
import { tenantSlugSchema } from "@/lib/tenancy/slug";
import { portalDomain } from "@/lib/tenancy/host";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Customer" };

export default async function ConsoleCustomer(props: { params: Promise<{ slug: string }> }) {
  const slug = tenantSlugSchema.safeParse((await props.params).slug);
  if (!slug.success) notFound();
  const page = await consolePage(`/customers/${slug.data}`);
  const data = await page.run(async (tx) => {
    if (!isOperator(tx)) return "forbidden" as const;
    const t = await loadTenantDetail(tx, slug.data);
    if (!t) return null;
    const collectors = await loadCollectorStatus(tx, t.id).catch(() => ({ allowed: false as const }));
    const move = t.can["tenants:move"] ? await moveTargetsFor(tx, t) : { targets: [], typedAmong: null };
    return { t, move, collectors };
  });
  if (data === "forbidden") forbidden();
  if (!data) notFound();
  return (
    <>
      <TenantDetailView t={data.t} moveTargets={data.move.targets} moveTypedAmong={data.move.typedAmong} domain={portalDomain()} />
      <CollectorStatusCard data={data.collectors} slug={data.t.slug} />
    </>
  );
}
