// /assets: upsert by external id, and the list.
import { z } from "zod";
import { defineEndpoint } from "@/lib/api/endpoint";
import { listApiAssets, upsertAssets } from "@/lib/ingest/assets";
import { ASSET_KINDS, CRITICALITIES } from "@/lib/ingest/fields";
import { upsertAssetsBody } from "@/lib/ingest/schemas";
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
    "(limits.assets) is rejected for that item too. Counts one per item against the daily ingestion quota.",
  body: upsertAssetsBody,
  success: { status: 200, schema: assetBatchResultSchema },
  quotaCost: (input) => input.body.assets.length,
  async handle(ctx, { body }) {
    const result = await refusalsAsProblems(() => upsertAssets(ctx.tx, ctx.tenantId, body.assets));
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
