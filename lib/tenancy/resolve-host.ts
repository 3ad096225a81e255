// Which tenant a host names. Runs before we know who the user is (the 404 for
// an unknown host must not depend on signing in), so it reads through the
// named service-role path and returns only what the sign-in page may show.
import { eq } from "drizzle-orm";
import { tenants } from "@/drizzle/schema";
import { withServiceRole } from "@/lib/db/service-role";
import type { TenantStatus } from "@/lib/lifecycle/states";

export interface HostTenant {
  id: string;
  slug: string;
  name: string;
  kind: "mssp" | "customer" | "site";
  status: TenantStatus;
}

export async function findTenantBySlug(slug: string): Promise<HostTenant | null> {
  return withServiceRole("tenancy.resolve-host", async (db) => {
    const [row] = await db
      .select({ id: tenants.id, slug: tenants.slug, name: tenants.name, kind: tenants.kind, status: tenants.status })
      .from(tenants)
      .where(eq(tenants.slug, slug));
    return row ?? null;
  });
}
