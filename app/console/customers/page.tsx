import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { CustomersView } from "@/components/lifecycle/customers-view";
import { loadCustomersPage, parseCustomersQuery } from "@/lib/lifecycle/list-page";
import { portalDomain } from "@/lib/tenancy/host";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Customers" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConsoleCustomers(props: Props) {
  const { query, problems } = parseCustomersQuery(await props.searchParams);
  const page = await consolePage("/customers");
  // MSSP staff only; RLS decides which tenants exist, the PDP which actions each row offers.
  const data = await page.run(async (tx) => (isOperator(tx) ? loadCustomersPage(tx, query) : null));
  if (!data) forbidden();
  if (query.page > data.page) problems.push(`There is no page ${query.page}; showing page ${data.page}, the last one.`);
  return <CustomersView data={data} query={{ ...query, page: data.page }} problems={problems} domain={portalDomain()} />;
}
