// The console's Keys page: the MSSP's KEK, every tenant's data key, and the
// key jobs, with live progress while a rotation runs.
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import type { KeysPageData } from "@/lib/vault/rotation-page";
import { KekCard } from "./kek-card";
import { KeysQueryProvider } from "./query-provider";
import { RecentJobs } from "./recent-jobs";
import { TenantKeysTable } from "./tenant-keys-table";

export function KeysView({ data }: { data: KeysPageData }) {
  const canRotateAny = data.keks.some((k) => k.canRotate) || data.tenants.some((t) => t.canRotate);
  return (
    <KeysQueryProvider>
      <PageHeader
        title="Keys"
        description="Each tenant's credentials are sealed with its own data key; data keys are wrapped by the MSSP's key-encryption key. Rotating a data key re-seals the tenant's credentials in the background and erases the old key."
      />
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
      <div className="space-y-4">
        {data.keks.map((card) => (
          <KekCard key={card.mssp.id} card={card} />
        ))}
      </div>
      <h2 className="mb-3 mt-8 text-sm font-semibold uppercase tracking-wide text-slate-500">Tenant data keys</h2>
      <TenantKeysTable rows={data.tenants} />
      <h2 className="mb-3 mt-8 text-sm font-semibold uppercase tracking-wide text-slate-500">Recent key jobs</h2>
      <RecentJobs jobs={data.recentJobs} />
    </KeysQueryProvider>
  );
}
