// /assets: upsert by external id, and the list.
import { z } from "zod";
import { defineEndpoint } from "@/lib/api/endpoint";
import { listApiAssets, upsertAssetsWithAdoptions } from "@/lib/ingest/assets";
import { ASSET_KINDS, CRITICALITIES } from "@/lib/ingest/fields";
import { upsertAssetsBody } from "@/lib/ingest/schemas";
import { cappedIds, recordApiWrite } from "./audit";
import { refusalsAsProblems } from "./problems";
import { DEFAULT_LIMIT, csvOf, cursorParam, limitParam } from "./query";
import { assetBatchResultSchema, assetPageSchema } from "./shapes";

const TAG = "Assets";

export const upsertAssetsEndpoint = defineEndpoint({
  method: "POST",
  path: "/assets",
  scope: "assets:write",
  tag: TAG,
  summary: "Create or update assets by external id",
  description:
    "Up to 1,000 assets per call. An asset is found by its external_id; one made in the portal without an external id is " +
    "adopted when the host name matches. Fields left out keep their value. A host name that belongs to another asset with " +
    "another external_id is rejected for that item; the others are still written. A new asset past the tenant's asset limit " +
    "(limits.assets) is rejected for that item too. Idempotent under concurrency: two calls creating the same new asset at once " +
    "both succeed (one creates it, the other updates it). Counts one per item against the daily ingestion quota. A call that " +
    "creates or updates assets writes one row in the tenant's audit trail (api.assets.upserted, the key as actor: the counts and " +
    "the first 50 ids created, updated and adopted).",
  body: upsertAssetsBody,
  success: { status: 200, schema: assetBatchResultSchema },
  quotaCost: (input) => input.body.assets.length,
  async handle(ctx, { body }) {
    const { result, adoptedIds } = await refusalsAsProblems(() => upsertAssetsWithAdoptions(ctx.tx, ctx.tenantId, body.assets));
    // One row per request that wrote something (an update may change an asset's criticality or owner,
    // an adoption gives a portal-made asset an external id), last: it takes the tenant's chain lock.
    const { created, updated } = result.summary;
    if (created + updated > 0) {
      const idsOf = (status: "created" | "updated") => result.results.flatMap((r) => (r.status === status ? [r.id] : []));
      await recordApiWrite(ctx, {
        action: "api.assets.upserted",
        targetType: "assets",
        targetId: String(created + updated),
        details: {
          ...result.summary,
          adopted: adoptedIds.length,
          ...cappedIds("created_ids", idsOf("created")),
          ...cappedIds("updated_ids", idsOf("updated")),
          ...(adoptedIds.length > 0 ? cappedIds("adopted_ids", adoptedIds) : {}),
        },
      });
    }
    return { status: 200, body: result };
  },
});

export const listAssetsEndpoint = defineEndpoint({
  method: "GET",
  path: "/assets",
  scope: "assets:read",
  tag: TAG,
  summary: "List assets",
  description: "The addressed tenant's assets by host name, keyset-paged (pass next_cursor back as cursor).",
  query: z.strictObject({
    kind: csvOf(ASSET_KINDS).optional(),
    criticality: csvOf(CRITICALITIES).optional(),
    cursor: cursorParam.optional(),
    limit: limitParam.optional(),
  }),
  success: { status: 200, schema: assetPageSchema },
  async handle(ctx, { query }) {
    const page = await refusalsAsProblems(() => listApiAssets(ctx.tx, ctx.tenantId, { ...query, limit: query.limit ?? DEFAULT_LIMIT }));
    return { status: 200, body: page };
  },
});
