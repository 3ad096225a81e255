import type { Metadata } from "next";
import { TeamPage } from "@/components/team/team-page";
import { consolePage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Team" };

export default async function ConsoleTeam(props: { searchParams: Promise<{ tenant?: string }> }) {
  const { tenant } = await props.searchParams;
  const page = await consolePage("/team");
  return <TeamPage run={page.run} wantedSlug={typeof tenant === "string" ? tenant : undefined} fallbackTenantId={null} />;
}
