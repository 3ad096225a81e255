import type { Metadata } from "next";
import { TeamPage } from "@/components/team/team-page";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Team" };

export default async function TenantTeam(props: { params: Promise<{ tenant: string }>; searchParams: Promise<{ tenant?: string }> }) {
  const { tenant: slug } = await props.params;
  const { tenant: wanted } = await props.searchParams;
  const page = await tenantPage(slug, "/team");
  return <TeamPage run={page.run} wantedSlug={typeof wanted === "string" ? wanted : undefined} fallbackTenantId={page.tenant.id} />;
}
