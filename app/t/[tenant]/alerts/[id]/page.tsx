import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { z } from "zod";
import { AlertDetailView } from "@/components/alerts/alert-detail";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { loadAlertDetail } from "@/lib/alerts/detail";
import { isAuthorizationError, isPdpUnavailable } from "@/lib/authz";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Alert" };

type Props = { params: Promise<{ tenant: string; id: string }> };

export default async function TenantAlert(props: Props) {
  const { tenant: slug, id } = await props.params;
  const page = await tenantPage(slug, `/alerts/${encodeURIComponent(id)}`);
  if (!z.string().uuid().safeParse(id).success) notFound();
  let view;
  try {
    // RLS shows the alert only within this tenant and its sites; the PDP must allow alerts:read on its tenant.
    view = await page.run((tx) => loadAlertDetail(tx, id, new Date(), page.tenant.id));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    if (isAuthorizationError(error)) forbidden();
    throw error;
  }
  if (!view) notFound();
  return <AlertDetailView data={view} backHref="/alerts" showTenant={view.alert.tenantId !== page.tenant.id} />;
}
