// /collectors/{name}/checkpoints: where a collector stands in each of its
// connectors' feeds, kept by the portal so a restarted collector resumes
// there (lib/collector/checkpoints.ts says how advancing stays consistent).
import { z } from "zod";
import { defineEndpoint } from "@/lib/api/endpoint";
import { advanceCheckpoint, advanceCheckpointBody, listCheckpoints } from "@/lib/collector/checkpoints";
import { line } from "@/lib/ingest/fields";
import { recordApiWrite } from "./audit";
import { refusalsAsProblems } from "./problems";

const TAG = "Collectors";
const nameParams = z.strictObject({ name: line(100, "name").describe("The collector's name (as in its heartbeat).") });
const ts = z.string().describe("RFC 3339, UTC, microseconds");

const checkpointSchema = z
  .object({
    credential_id: z.uuid(),
    cursor: z.string().nullable(),
    alerts_sent: z.number().int().min(0),
    last_sent_at: ts.nullable(),
    updated_at: ts,
  })
  .meta({ title: "CollectorCheckpoint" });

export const listCheckpointsEndpoint = defineEndpoint({
  method: "GET",
  path: "/collectors/{name}/checkpoints",
  scope: "collectors:write",
  tag: TAG,
  summary: "A collector's checkpoints",
  description: "One per connector credential the collector has pulled from: the opaque cursor to resume from and the alerts sent. Empty for a collector not yet seen.",
  params: nameParams,
  success: { status: 200, schema: z.object({ checkpoints: z.array(checkpointSchema) }) },
  async handle(ctx, { params }) {
    const checkpoints = await listCheckpoints(ctx.tx, ctx.tenantId, params.name);
    return { status: 200, body: { checkpoints } };
  },
});

export const advanceCheckpointEndpoint = defineEndpoint({
  method: "POST",
  path: "/collectors/{name}/checkpoints",
  scope: "collectors:write",
  tag: TAG,
  summary: "Advance a collector's checkpoint",
  description:
    "Compare-and-set: applied when the stored cursor is `previous_cursor`, and `sent` is added to the count. Sent again after it was " +
    "applied (a retry), it is answered with `replayed: true` and counts nothing twice. Any other stored cursor is a 409 whose `cursor` " +
    "member is the stored one. The collector must have sent a heartbeat first (404 otherwise). An applied advance is audited " +
    "(collector.checkpoint.advanced, on the credential); a replay is not.",
  params: nameParams,
  body: advanceCheckpointBody,
  success: { status: 200, schema: checkpointSchema.extend({ replayed: z.boolean() }).meta({ title: "CollectorCheckpointAdvanced" }) },
  async handle(ctx, { params, body }) {
    const checkpoint = await refusalsAsProblems(() => advanceCheckpoint(ctx.tx, ctx.tenantId, params.name, body));
    // One row per applied advance (a replay changed nothing). The cursors are not copied: they are the
    // vendor's paging state, which may carry its tokens.
    if (!checkpoint.replayed) {
      await recordApiWrite(ctx, {
        action: "collector.checkpoint.advanced",
        targetType: "credential",
        targetId: checkpoint.credential_id,
        details: { collector: params.name, sent: body.sent, alerts_sent: checkpoint.alerts_sent, first: body.previous_cursor === null },
      });
    }
    return { status: 200, body: checkpoint };
  },
});

export const checkpointEndpoints = [listCheckpointsEndpoint, advanceCheckpointEndpoint] as const;
