// The API keys page of one tenant (its own host, or the console for a
// customer): the header, then the panel, or a plain refusal for someone who
// may not manage keys there.
import { PageHeader } from "@/components/ui/page-header";
import type { ApiKeysPageData } from "@/lib/api/keys/page-data";
import { ApiKeysPanel } from "./api-keys-panel";

export function ApiKeysView({ data, backHref }: { data: ApiKeysPageData; backHref?: string }) {
  return (
    <>
      {backHref && (
        <a href={backHref} className="mb-2 inline-block text-sm font-medium text-brand hover:underline">
          ← {data.tenant.name}
        </a>
      )}
      <PageHeader
        title="API keys"
        description={
          <>
            Keys for {data.tenant.name}&apos;s sensors, forwarders and scripts. A key acts for this tenant (and the tenants below it) with the
            scopes it was given, never more than its creator holds. See <a className="font-medium text-brand hover:underline" href="/api-docs">the API reference</a>.
          </>
        }
      />
      {data.canManage ? (
        <ApiKeysPanel data={data} />
      ) : (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="api-keys-not-allowed">
          <p className="text-sm font-medium text-slate-800">You can&apos;t manage API keys here.</p>
          <p className="mt-1 text-sm text-slate-500">Tenant and MSSP admins create and revoke keys.</p>
        </div>
      )}
    </>
  );
}

/** The console page for a slug the caller cannot see (or that does not exist): the same answer for both. */
export function ApiKeysNoTenant() {
  return (
    <>
      <PageHeader title="API keys" />
      <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="api-keys-no-tenant">
        <p className="text-sm font-medium text-slate-800">There is no customer here whose API keys you can see.</p>
        <p className="mt-1 text-sm text-slate-500">The link may be old, or the customer is outside your MSSP.</p>
      </div>
    </>
  );
}
