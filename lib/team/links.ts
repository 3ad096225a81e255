// Invitation links point at the invited tenant's own portal (the console for
// an MSSP tenant), so accepting happens where the invitee will work.
import { portalOriginFor } from "@/lib/tenancy/origin";

export async function inviteLinkFor(tenant: { slug: string; kind: string }, token: string): Promise<string> {
  return `${await portalOriginFor(tenant)}/invite/${token}`;
}
