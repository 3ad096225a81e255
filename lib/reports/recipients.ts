// Who of a schedule's recipient addresses can open the tenant's reports. A
// scheduled report is mailed as a link (lib/reports/generate.ts), and the
// download asks RLS and the PDP as the person who follows it
// (lib/reports/download.ts): an address with no account, or one whose account
// may not export this tenant's reports (or, for a report with usage figures,
// read its usage), would get a link that never opens for them. So the
// schedule form refuses such addresses, and each run mails only those who can
// open that report at that moment (a person who lost access is not mailed).
// Asked as each account, as the download would: withTenant as the recipient,
// then `permissions` (RLS decides whether the tenant exists for them).
import { isPdpUnavailable, permissions } from "@/lib/authz";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant } from "@/lib/db/with-tenant";

/** The addresses (as given, lower case) whose accounts may open `tenantId`'s reports now. */
export async function recipientsWhoMayOpen(tenantId: string, addresses: readonly string[], opts: { includesUsage: boolean }): Promise<Set<string>> {
  const wanted = [...new Set(addresses.map((a) => a.toLowerCase()))];
  if (wanted.length === 0) return new Set();
  const accounts = await withServiceRole("reports.recipients", async (db) => {
    const { rows } = await db.$client.query<{ id: string; email: string }>("select id, lower(email) as email from public.users where lower(email) = any ($1::text[])", [wanted]);
    return rows;
  });
  const actions = opts.includesUsage ? (["reports:export", "usage:read"] as const) : (["reports:export"] as const);
  const may = new Set<string>();
  for (const account of accounts) {
    try {
      const can = await withTenant({ userId: account.id, activeTenantId: null }, (tx) => permissions(tx, actions, tenantId));
      if (actions.every((a) => can[a as keyof typeof can])) may.add(account.email);
    } catch (error) {
      // The PDP not answering is "try again", not "no": the caller fails and retries.
      if (isPdpUnavailable(error)) throw error;
      // An account that cannot open a transaction (deleted meanwhile): not mailed.
    }
  }
  return may;
}
