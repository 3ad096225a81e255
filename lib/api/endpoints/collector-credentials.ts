// POST /collectors/{name}/credentials: the key's tenant's connector credentials,
// opened for its collector (lib/collector/open-credentials.ts: what is opened,
// skipped and audited). The collector's one way to its secrets: it has no database
// login. POST, so no cache or proxy keeps the answer; the gateway marks it no-store.
import { z } from "zod";
import { ApiProblem, defineEndpoint } from "@/lib/api/endpoint";
import { CONNECTOR_KINDS } from "@/lib/credentials/connectors";
import { openCredentialsForCollector } from "@/lib/collector/open-credentials";
import { line } from "@/lib/ingest/fields";

const about = { id: z.uuid(), connector: z.enum(CONNECTOR_KINDS), name: z.string() };

export const openCollectorCredentialsEndpoint = defineEndpoint({
  method: "POST",
  path: "/collectors/{name}/credentials",
  scope: "collectors:write",
  tag: "Collectors",
  summary: "Open the tenant's connector credentials for its collector",
  description:
    "The secrets of the tenant's connector credentials the collector pulls from, for a key of the tenant itself (not an MSSP key " +
    "addressing a customer). Credentials of a kind the tenant's configuration disables, or the collector does not pull from, are " +
    "listed under `skipped` without their secret, and so is one that does not open (with its reason; `retry: true` when only the key " +
    "service failed, so the next call may open it). Each opening is audited (credential.opened, purpose collector.pull). Keep the " +
    "answer in memory only.",
  params: z.strictObject({ name: line(100, "name").describe("The collector's name (as in its heartbeat).") }),
  body: z.strictObject({}),
  success: {
    status: 200,
    schema: z
      .object({
        tenant_id: z.uuid(),
        credentials: z.array(z.object({ ...about, config: z.record(z.string(), z.unknown()), secret: z.string() }).meta({ title: "CollectorCredential" })),
        skipped: z.array(
          z
            .object({
              ...about,
              reason: z.string(),
              retry: z
                .literal(true)
                .optional()
                .describe("Present when it was not opened this time only (the key service failing): ask again on the next cycle. Absent when it is skipped for good."),
            })
            .meta({ title: "SkippedCredential" }),
        ),
      })
      .meta({ title: "CollectorCredentials" }),
  },
  async handle(ctx, { params }) {
    if (ctx.principal.keyTenantId !== ctx.tenantId) {
      throw new ApiProblem(403, "Forbidden", "A collector runs with its own tenant's key: an MSSP key does not open its customers' credentials.", {}, "forbidden");
    }
    const opened = await openCredentialsForCollector(ctx.tx, ctx.tenantId, ctx.principal.keyId, params.name);
    return { status: 200, body: { tenant_id: opened.tenantId, credentials: opened.credentials, skipped: opened.skipped } };
  },
});
