// /collectors/heartbeat: a collector says it is alive, when it last pulled
// from its connectors, and its last error (null clears it).
import { defineEndpoint } from "@/lib/api/endpoint";
import { recordHeartbeat } from "@/lib/ingest/collectors";
import { heartbeatBody } from "@/lib/ingest/schemas";
import { refusalsAsProblems } from "./problems";
import { apiCollectorSchema } from "./shapes";

export const heartbeatEndpoint = defineEndpoint({
  method: "POST",
  path: "/collectors/heartbeat",
  scope: "collectors:write",
  tag: "Collectors",
  summary: "Report a collector's heartbeat",
  description: "Creates the collector on its first heartbeat (by name, unique in the tenant). Fields left out keep their last value.",
  body: heartbeatBody,
  success: { status: 200, schema: apiCollectorSchema },
  async handle(ctx, { body }) {
    const collector = await refusalsAsProblems(() => recordHeartbeat(ctx.tx, ctx.tenantId, body));
    return { status: 200, body: collector };
  },
});
