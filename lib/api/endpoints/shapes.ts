// Response shapes of the endpoints, for the OpenAPI document and the tests
// (handlers build these objects from lib/ingest; the schemas describe them).
import { z } from "zod";
import { ALERT_SEVERITIES } from "@/lib/alerts/severity";
import { ASSET_KINDS, CRITICALITIES, STATUSES } from "@/lib/ingest/fields";

/** Every timestamp the API writes (lib/db/timestamps.ts makes them). */
export const apiTimestamp = z.string().describe("RFC 3339, UTC, microseconds");
const ts = apiTimestamp;
const tsOrNull = ts.nullable();

export const apiAlertSchema = z
  .object({
    id: z.uuid(),
    external_id: z.string().nullable(),
    source: z.string(),
    title: z.string(),
    description: z.string(),
    severity: z.enum(ALERT_SEVERITIES),
    status: z.enum(STATUSES),
    rule_name: z.string().nullable(),
    hostname: z.string().nullable(),
    source_ip: z.string().nullable(),
    asset_id: z.uuid().nullable(),
    assigned_to: z.uuid().nullable(),
    close_reason: z.string().nullable(),
    has_raw_event: z.boolean().describe("A sealed raw payload is stored; it is shown only on the alert's page in the portal."),
    detected_at: ts,
    created_at: ts,
    updated_at: ts,
    acknowledged_at: tsOrNull,
    resolved_at: tsOrNull,
  })
  .meta({ title: "Alert" });

export const apiAssetSchema = z
  .object({
    id: z.uuid(),
    external_id: z.string().nullable(),
    hostname: z.string(),
    ip_address: z.string().nullable(),
    os: z.string(),
    kind: z.enum(ASSET_KINDS),
    criticality: z.enum(CRITICALITIES),
    owner_email: z.string().nullable(),
    last_seen_at: tsOrNull,
    created_at: ts,
    updated_at: ts,
  })
  .meta({ title: "Asset" });

export const apiCollectorSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    version: z.string().nullable(),
    hostname: z.string().nullable(),
    last_heartbeat_at: ts,
    last_pull_at: tsOrNull,
    last_error: z.string().nullable(),
    last_error_at: tsOrNull,
    created_at: ts,
  })
  .meta({ title: "Collector" });

const nextCursor = z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page.");

export const alertPageSchema = z.object({ data: z.array(apiAlertSchema), next_cursor: nextCursor });
export const assetPageSchema = z.object({ data: z.array(apiAssetSchema), next_cursor: nextCursor });

const rejected = z.object({ index: z.int().min(0), status: z.literal("rejected"), reason: z.string() });

export const alertBatchResultSchema = z
  .object({
    summary: z.object({ created: z.int(), duplicates: z.int(), rejected: z.int() }),
    results: z.array(
      z.union([
        z.object({ index: z.int().min(0), status: z.literal("created"), id: z.uuid() }),
        z.object({ index: z.int().min(0), status: z.literal("duplicate"), id: z.uuid().describe("The alert already stored for this source and external_id.") }),
        rejected,
      ]),
    ),
  })
  .meta({ title: "AlertBatchResult" });

export const assetBatchResultSchema = z
  .object({
    summary: z.object({ created: z.int(), updated: z.int(), rejected: z.int() }),
    results: z.array(z.union([z.object({ index: z.int().min(0), status: z.enum(["created", "updated"]), id: z.uuid() }), rejected])),
  })
  .meta({ title: "AssetBatchResult" });
