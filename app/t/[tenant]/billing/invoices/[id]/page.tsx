import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { InvoiceView } from "@/components/billing/invoice-view";
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable, permissions } from "@/lib/authz";
import { getInvoice } from "@/lib/billing/read";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Invoice" };

export default async function TenantInvoice(props: { params: Promise<{ tenant: string; id: string }> }) {
  const { tenant: slug, id } = await props.params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  const page = await tenantPage(slug, `/billing/invoices/${id}`);
  let inv;
  try {
    inv = await page.run(async (tx) => {
      const found = await getInvoice(tx, id);
      if (!found) return null;
      return (await permissions(tx, ["billing:view"], found.tenantId))["billing:view"] ? found : null;
    });
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!inv) notFound();
  return (
    <>
      <PageHeader title={`${inv.kind === "credit_note" ? "Credit note" : "Invoice"} ${inv.displayNumber === "Draft" ? "(draft)" : inv.displayNumber}`} description={`${inv.periodStart.slice(0, 7)} · ${inv.planName}`} actions={<a href="/billing" className="text-sm text-indigo-700 hover:underline">All invoices</a>} />
      <InvoiceView invoice={inv} issuer={page.tenant.providerName} downloadBase={`/billing/invoices/${inv.id}`} hrefFor={(x) => `/billing/invoices/${x}`} />
    </>
  );
}
