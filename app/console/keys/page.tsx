import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { KeysView } from "@/components/keys/keys-view";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { loadKeysPage } from "@/lib/vault/rotation-page";

export const metadata: Metadata = { title: "Keys" };

export default async function ConsoleKeys() {
  const page = await consolePage("/keys");
  // MSSP staff only; which buttons appear is the PDP's call (keys:rotate).
  const data = await page.run(async (tx) => (isOperator(tx) ? loadKeysPage(tx) : null));
  if (!data) forbidden();
  return <KeysView data={data} />;
}
