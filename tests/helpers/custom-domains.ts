// A custom domain that routes (verified a day ago) for a fixture tenant, inserted as the owner:
// for tests of what a request on such a domain gets, not of verification itself.
import { randomBytes } from "node:crypto";
import type { FixtureEnv } from "./fixture-env";

export function routeCustomDomain(env: FixtureEnv, tenantId: string, domain: string): Promise<unknown> {
  return env.owner(
    `insert into public.custom_domains (tenant_id, domain, skeleton, token, status, verified_at)
     values ($1, $2, $2, $3, 'verified', now() - interval '1 day')`,
    [tenantId, domain, randomBytes(16).toString("hex")],
  );
}
