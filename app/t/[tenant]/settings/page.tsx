import type { Metadata } from "next";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { SettingsNotAllowed, SettingsView } from "@/components/settings/settings-view";
import { requestProviderMask } from "@/lib/branding/mask";
import { loadSettingsPage } from "@/lib/settings/page-data";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Settings" };

export default async function TenantSettings(props: { params: Promise<{ tenant: string }>; searchParams: Promise<{ tenant?: string }> }) {
  const { tenant: slug } = await props.params;
  const { tenant: wanted } = await props.searchParams;
  const page = await tenantPage(slug, "/settings");
  // With "hide the MSSP's brand", nothing names the provider or shows its brand values here.
  const mask = await requestProviderMask();
  let data;
  try {
    data = await page.run((tx) => loadSettingsPage(tx, { scopeId: page.tenant.id, slug: typeof wanted === "string" ? wanted : undefined, mask }));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  // The brand page is the host tenant's own (a site picked above has its brand on its own host).
  return data.allowed ? <SettingsView data={data} brandHref={data.tenant.id === page.tenant.id ? "/settings/brand" : undefined} /> : <SettingsNotAllowed />;
}
