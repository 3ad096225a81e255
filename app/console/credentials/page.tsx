import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { ConsoleCredentialsView } from "@/components/credentials/console-credentials-view";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { loadCredentialsOverview, parseOverviewQuery } from "@/lib/credentials/overview";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Credentials" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConsoleCredentials(props: Props) {
  // ?q=&connector=&status=&page=: a value that does not parse is dropped with a note, never an error page.
  const { query, problems } = parseOverviewQuery(await props.searchParams);
  const page = await consolePage("/credentials");
  let data;
  try {
    // MSSP staff with credentials:view on their MSSP (the PDP); RLS decides the rows.
    data = await page.run(async (tx) => (isOperator(tx) ? loadCredentialsOverview(tx, query) : null));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data?.allowed) forbidden();
  if (query.page > data.query.page) {
    problems.push(`There is no page ${query.page}; showing page ${data.query.page}, the last one.`);
  }
  return <ConsoleCredentialsView data={data} problems={problems} />;
}
