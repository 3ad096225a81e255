import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { KeysView } from "@/components/keys/keys-view";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { loadKeysPage, parseKeysQuery } from "@/lib/vault/rotation-page";

export const metadata: Metadata = { title: "Keys" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConsoleKeys(props: Props) {
  // ?q=&filter=&page=: a value that does not parse is dropped with a note, never an error page.
  const { query, problems } = parseKeysQuery(await props.searchParams);
  const page = await consolePage("/keys");
  // MSSP staff only; which buttons appear is the PDP's call (keys:rotate).
  const data = await page.run(async (tx) => (isOperator(tx) ? loadKeysPage(tx, query) : null));
  if (!data) forbidden();
  if (query.page > data.query.page) {
    problems.push(`There is no page ${query.page}; showing page ${data.query.page}, the last one.`);
  }
  return <KeysView data={data} problems={problems} />;
}
