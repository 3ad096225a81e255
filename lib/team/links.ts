// Invitation links point at the invited tenant's own host (or the console
// for an MSSP tenant), so accepting happens where the invitee will work.
import { originForConsole, originForTenant } from "@/lib/tenancy/origin";

export async function inviteLinkFor(slug: string, token: string, origin?: string): Promise<string> {
  return `${origin ?? (await originForTenant(slug))}/invite/${token}`;
}

export async function consoleOriginFor(): Promise<string> {
  return originForConsole();
}
