// The console's Keys page: the MSSP's KEK, one page of tenants' data keys
// (search, filter chips, pager), and the key jobs, with live progress while a
// rotation runs.
import { Notice, PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import type { KeysPageData } from "@/lib/vault/rotation-page";
import { KekCards } from "./kek-card";
import { QueryProvider } from "@/components/ui/query-provider";
import { RecentJobs } from "./recent-jobs";
import { TenantKeysTable } from "./tenant-keys-table";

export function KeysView({ data, problems = [] }: { data: KeysPageData; problems?: string[] }) {
  // keys:rotate on the MSSP root means the caller rotates keys here, whatever this page of rows shows.
  const canRotateAny = data.keks.some((k) => k.canRotate) || data.tenants.some((t) => t.canRotate);
  return (
    <QueryProvider>
      <PageHeader
        title="Keys"
        description="Each tenant's credentials are sealed with its own data key; data keys are wrapped by the MSSP's key-encryption key. Rotating a data key re-seals the tenant's credentials in the background and erases the old key."
      />
      <Notice messages={problems} />
      {data.pdpUnavailable && (
        <div className="mb-6">
          <PdpUnavailable inline />
        </div>
      )}
      {!data.pdpUnavailable && !canRotateAny && (
        <p role="status" className="mb-6 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm text-slate-600" data-testid="keys-read-only">
          You can see key status here. Rotating keys needs the MSSP admin role; ask an MSSP admin if a key should be rotated.
        </p>
      )}
      <KekCards initial={data.keks} timeZone={data.timeZone} />
      <h2 className="mb-3 mt-8 text-sm font-semibold uppercase tracking-wide text-slate-500">Tenant data keys</h2>
      <TenantKeysTable data={data} />
      <h2 className="mb-3 mt-8 text-sm font-semibold uppercase tracking-wide text-slate-500">Recent key jobs</h2>
      <RecentJobs initial={data.recentJobs} timeZone={data.timeZone} />
    </QueryProvider>
  );
}
