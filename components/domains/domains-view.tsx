// The custom domains page of one tenant: the header, then the panel, or a
// plain refusal for someone who may not manage domains here.
import { PageHeader } from "@/components/ui/page-header";
import type { DomainsPageData } from "@/lib/domains/page-data";
import { DomainsPanel } from "./domains-panel";

export function DomainsView({ data, backHref }: { data: DomainsPageData; backHref?: string }) {
  return (
    <>
      {backHref && (
        <a href={backHref} className="mb-2 inline-block text-sm font-medium text-brand hover:underline">
          ← {data.tenant.name}
        </a>
      )}
      <PageHeader
        title="Custom domains"
        description={<>Serve {data.tenant.name}&apos;s portal on your own domain, such as soc.example.com. Add it, create the two DNS records shown, then verify.</>}
      />
      {data.canManage ? (
        <DomainsPanel data={data} />
      ) : (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="domains-not-allowed">
          <p className="text-sm font-medium text-slate-800">You can&apos;t manage custom domains here.</p>
          <p className="mt-1 text-sm text-slate-600">Tenant and MSSP admins add and verify domains.</p>
        </div>
      )}
    </>
  );
}
