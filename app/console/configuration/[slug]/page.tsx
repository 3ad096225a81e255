import type { Metadata } from "next";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { forbidden, notFound } from "next/navigation";
import { SettingsNotAllowed, SettingsView } from "@/components/settings/settings-view";
import { loadSettingsPage } from "@/lib/settings/page-data";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

export const metadata: Metadata = { title: "Settings" };

/** Any tenant's settings from the console (the MSSP's own: the defaults). */
export default async function ConsoleTenantSettings(props: { params: Promise<{ slug: string }> }) {
  const slug = tenantSlugSchema.safeParse((await props.params).slug);
  if (!slug.success) notFound();
  const page = await consolePage(`/configuration/${slug.data}`);
  let data;
  try {
    data = await page.run(async (tx) => (isOperator(tx) ? loadSettingsPage(tx, { slug: slug.data }) : null));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (data === null) forbidden();
  return data.allowed ? <SettingsView data={data} backHref="/configuration" /> : <SettingsNotAllowed />;
}
