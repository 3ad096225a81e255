import type { Metadata } from "next";
import { forbidden, notFound, redirect } from "next/navigation";
import { z } from "zod";
import { AlertDetailView } from "@/components/alerts/alert-detail";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { loadAlertDetail } from "@/lib/alerts/detail";
import { isAuthorizationError, isPdpUnavailable } from "@/lib/authz";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Alert" };

type Props = { params: Promise<{ id: string }> };

export default async function ConsoleAlert(props: Props) {
  const { id } = await props.params;
  const page = await consolePage(`/alerts/${encodeURIComponent(id)}`);
  if (!z.string().uuid().safeParse(id).success) notFound();
  let data;
  try {
    data = await page.run(async (tx) => (isOperator(tx) ? { view: await loadAlertDetail(tx, id, new Date()) } : null));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    if (isAuthorizationError(error)) forbidden();
    throw error;
  }
  if (!data) redirect("/tenants");
  if (!data.view) notFound();
  return <AlertDetailView data={data.view} backHref="/alerts" showTenant />;
}
