import type { Metadata } from "next";
import { InvoiceTable, invoiceRowOf } from "@/components/billing/invoice-table";
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { loadTenantInvoices } from "@/lib/billing/page-data";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Billing" };

export default async function TenantBilling(props: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await props.params;
  const page = await tenantPage(slug, "/billing");
  let data;
  try {
    data = await page.run((tx) => loadTenantInvoices(tx, page.tenant.id));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  const { allowed, invoices } = data;
  return (
    <>
      <PageHeader title="Billing" description={`${page.tenant.name}'s invoices from ${page.tenant.providerName}, newest first. Each shows the usage it was computed from; download it as a PDF or CSV.`} />
      {!allowed ? (
        <p className="rounded-xl border border-slate-200 bg-white p-6 text-sm text-slate-700" data-testid="billing-not-allowed">
          Invoices are for your organisation&apos;s admins (billing:view). Ask one of them for a copy.
        </p>
      ) : invoices.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center" data-testid="billing-no-invoices">
          <p className="text-sm font-medium text-slate-800">No invoices yet.</p>
          <p className="mt-1 text-sm text-slate-500">
            {page.tenant.kind === "site"
              ? "A site is billed with its customer: the customer's admins see the invoices."
              : `${page.tenant.providerName} drafts an invoice after each month ends; it appears here once issued. This month's usage so far is on the Usage page.`}
          </p>
        </div>
      ) : (
        <div className="rounded-xl border border-slate-200 bg-white p-4">
          <InvoiceTable rows={invoices.map(invoiceRowOf)} hrefFor={(id) => `/billing/invoices/${id}`} showCustomer={false} testId="billing-invoices" />
        </div>
      )}
    </>
  );
}
