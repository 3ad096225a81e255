// Server side of the credentials page: which tenants the caller may see
// credentials of (PDP), the selected one's credentials (masked, under RLS),
// and whether the caller may manage them there.
import { TenantPicker } from "@/components/tenants/tenant-picker";
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { toCredentialView } from "@/lib/actions/credentials/view";
import { isPdpUnavailable } from "@/lib/authz";
import { connectorFormSpecs } from "@/lib/credentials/connectors";
import type { CredentialsPageData } from "@/lib/credentials/page-data";
import type { TenantTx } from "@/lib/db/with-tenant";
import { CredentialsPanel } from "./credentials-panel";

/**
 * `load` picks the tenant: the tenant portal passes loadCredentialsPage (its
 * tenants, with a picker), the console's manage page loadCredentialsPageFor
 * (one tenant by slug, with `backHref` to the overview instead of a picker).
 */
export async function CredentialsPage(props: {
  run: <T>(fn: (tx: TenantTx) => Promise<T>) => Promise<T>;
  load: (tx: TenantTx) => Promise<CredentialsPageData>;
  /** The console overview to go back to; set on the console's manage page. */
  backHref?: string;
}) {
  let data;
  try {
    data = await props.run(props.load);
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  // A breadcrumb above the title, so it sits in the same place whatever the page shows.
  const back = props.backHref ? (
    <a href={props.backHref} className="mb-2 inline-block text-sm font-medium text-brand hover:underline" data-testid="credentials-back">
      ← All customers&apos; credentials
    </a>
  ) : null;
  if (!data.selected) {
    return (
      <>
        {back}
        <PageHeader title="Credentials" />
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="credentials-not-allowed">
          {props.backHref ? (
            <>
              <p className="text-sm font-medium text-slate-800">There is no tenant here whose credentials you can see.</p>
              <p className="mt-1 text-sm text-slate-500">The link may be old, or the tenant is outside your MSSP. Pick a credential from the overview instead.</p>
            </>
          ) : (
            <>
              <p className="text-sm font-medium text-slate-800">You can&apos;t see credentials here.</p>
              <p className="mt-1 text-sm text-slate-500">Ask an admin of this tenant if you need to know which integrations are set up.</p>
            </>
          )}
        </div>
      </>
    );
  }
  return (
    <>
      {back}
      <PageHeader
        title="Credentials"
        description="Keys and secrets the portal uses to reach your security tools. Each secret is sealed with the tenant's own key and never shown again after it is saved."
        actions={
          data.tenants.length > 1 ? <TenantPicker id="credentials-tenant" tenants={data.tenants} selectedSlug={data.selected.slug} pick={data.pick} may="see the credentials of" /> : undefined
        }
      />
      <CredentialsPanel
        key={data.selected.id}
        tenantId={data.selected.id}
        tenantName={data.selected.name}
        canManage={data.selected.canManage}
        credentials={data.credentials.map(toCredentialView)}
        connectors={connectorFormSpecs()}
        disabledKinds={data.disabledKinds}
      />
    </>
  );
}
