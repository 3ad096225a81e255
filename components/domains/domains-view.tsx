// The custom domains page of one tenant: the header, then the panel, or a
// plain refusal for someone who may not manage domains here. The tenant's
// /domains page and the console's /customers/<slug>/domains both render it
// (audience "console" with a link back to the customer).
import { PageHeader } from "@/components/ui/page-header";
import type { DomainsPageData } from "@/lib/domains/page-data";
import type { DomainsAudience } from "./domain-card";
import { DomainsPanel } from "./domains-panel";

export function DomainsView({ data, backHref, audience = "tenant" }: { data: DomainsPageData; backHref?: string; audience?: DomainsAudience }) {
  return (
    <>
      {backHref && (
        <a href={backHref} className="mb-2 inline-block text-sm font-medium text-brand hover:underline" data-testid="domains-back">
          ← {data.tenant.name}
        </a>
      )}
      <PageHeader
        title={audience === "console" ? `Custom domains of ${data.tenant.name}` : "Custom domains"}
        description={
          audience === "console" ? (
            <>
              The domains {data.tenant.name}&apos;s portal answers on besides its subdomain: their state, the DNS records the customer creates, and the last check. Re-check, remove, or
              add one on the customer&apos;s behalf.
            </>
          ) : (
            <>Serve {data.tenant.name}&apos;s portal on your own domain, such as soc.example.com. Add it, create the two DNS records shown, then verify.</>
          )
        }
      />
      {data.canManage ? (
        <DomainsPanel data={data} audience={audience} />
      ) : (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="domains-not-allowed">
          <p className="text-sm font-medium text-slate-800">You can&apos;t manage custom domains here.</p>
          <p className="mt-1 text-sm text-slate-600">
            {audience === "console" ? "The MSSP's admins and the customer's own admins add and verify domains; ask an MSSP admin." : "Tenant and MSSP admins add and verify domains."}
          </p>
        </div>
      )}
    </>
  );
}
