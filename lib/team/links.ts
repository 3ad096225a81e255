// Invitation links point at the invited tenant's own portal (the console for
// an MSSP tenant), so accepting happens where the invitee will work. The
// token rides in the fragment (#token=…): browsers never send a fragment to
// the server, so it reaches no access log, proxy log or Referer header; the
// page's own script reads it and POSTs it (app/invite).
import { portalOriginFor } from "@/lib/tenancy/origin";

export async function inviteLinkFor(tenant: { slug: string; kind: string }, token: string): Promise<string> {
  return `${await portalOriginFor(tenant)}/invite#token=${token}`;
}
