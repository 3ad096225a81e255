// /collectors/heartbeat: a collector says it is alive, when it last pulled
// from its connectors, and its last error (null clears it).
import { defineEndpoint } from "@/lib/api/endpoint";
import { recordHeartbeatChange } from "@/lib/ingest/collectors";
import { heartbeatBody } from "@/lib/ingest/schemas";
import { recordApiWrite } from "./audit";
import { refusalsAsProblems } from "./problems";
import { apiCollectorSchema } from "./shapes";

export const heartbeatEndpoint = defineEndpoint({
  method: "POST",
  path: "/collectors/heartbeat",
  scope: "collectors:write",
  tag: "Collectors",
  summary: "Report a collector's heartbeat",
  description:
    "Creates the collector on its first heartbeat (by name, unique in the tenant). Fields left out keep their last value. " +
    "A heartbeat that creates the collector, changes its version or sets or clears its last error is audited (collector.heartbeat); " +
    "a routine one is not.",
  body: heartbeatBody,
  success: { status: 200, schema: apiCollectorSchema },
  async handle(ctx, { body }) {
    const { collector, created, before } = await refusalsAsProblems(() => recordHeartbeatChange(ctx.tx, ctx.tenantId, body));
    // Every minute from every collector: audited only when what people read on the status pages changed
    // (one row takes the tenant's audit chain lock).
    const versionChanged = before !== null && before.version !== collector.version;
    const errorChanged = before !== null && before.last_error !== collector.last_error;
    if (created || versionChanged || errorChanged) {
      await recordApiWrite(ctx, {
        action: "collector.heartbeat",
        targetType: "collector",
        targetId: collector.id,
        details: {
          name: collector.name,
          ...(created ? { created: true } : {}),
          ...(versionChanged || created ? { version: { from: before?.version ?? null, to: collector.version } } : {}),
          ...(errorChanged || (created && collector.last_error !== null)
            ? { last_error: { from: before?.last_error ?? null, to: collector.last_error }, ...(collector.last_error === null ? { error_cleared: true } : {}) }
            : {}),
        },
      });
    }
    return { status: 200, body: collector };
  },
});
