// What a sender may put in an ingestion call. Objects are strict: an unknown
// field (tenant_id, tenant, a typo) is refused, never ignored, so a body
// cannot name a tenant: the tenant is always the call's (the key's, or the
// MSSP path's), and a batch that mixes tenants cannot be written.
import { z } from "zod";
import { ALERT_SEVERITIES } from "@/lib/alerts/severity";
import {
  ASSET_KINDS,
  CRITICALITIES,
  batchItem,
  externalId,
  hostname,
  ip,
  jsonBytes,
  jsonDepthWithin,
  line,
  sourceName,
  text,
  timestamp,
  uuid,
} from "./fields";

export const MAX_BATCH = 1000;
/** The raw vendor payload of one alert, as JSON, at most this many bytes. */
export const MAX_RAW_BYTES = 64 * 1024;
/** …and at most this many levels of objects and arrays (raw itself is the first). */
export const MAX_RAW_DEPTH = 64;

/**
 * Why a raw payload is refused, or null. The depth is checked first, without recursion: the byte
 * count (JSON.stringify) overflows the stack on a value nested about 10,000 deep, and that RangeError
 * escaped the item's catch and failed the whole batch with a 500. Anything else that throws here
 * refuses the item, never the batch.
 */
function rawProblem(v: Record<string, unknown>): string | null {
  try {
    if (!jsonDepthWithin(v, MAX_RAW_DEPTH)) return `raw is nested too deeply (at most ${MAX_RAW_DEPTH} levels)`;
    if (jsonBytes(v) > MAX_RAW_BYTES) return `raw is larger than ${MAX_RAW_BYTES} bytes as JSON`;
    return null;
  } catch {
    return "raw could not be read as JSON";
  }
}

export const alertItemSchema = z
  .strictObject({
    external_id: externalId.describe("The sender's id for this alert; with `source`, what makes a re-sent alert a duplicate."),
    source: sourceName.describe("The system that raised it (EDR, SIEM, IDS …)."),
    title: line(300, "title"),
    severity: z.enum(ALERT_SEVERITIES),
    description: text(10_000, "description").optional(),
    rule_name: line(300, "rule_name").optional(),
    hostname: hostname.optional(),
    source_ip: ip.optional(),
    asset_id: uuid.optional().describe("An asset of this tenant, by id."),
    asset_external_id: externalId.optional().describe("An asset of this tenant, by its external id (POST /assets)."),
    detected_at: timestamp.optional().describe("When the source saw it; defaults to the time of ingestion. At most 5 minutes ahead."),
    raw: z
      .record(z.string(), z.unknown())
      .superRefine((v, ctx) => {
        const problem = rawProblem(v);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional()
      .describe("The vendor's event as it arrived; stored sealed under the tenant's key, shown only on the alert's page."),
  })
  .refine((a) => !(a.asset_id && a.asset_external_id), { message: "name the asset by asset_id or asset_external_id, not both" });

export type AlertItem = z.output<typeof alertItemSchema>;

export const ingestAlertsBody = z.strictObject({
  alerts: z.array(batchItem(alertItemSchema)).min(1).max(MAX_BATCH),
});

export const assetItemSchema = z.strictObject({
  external_id: externalId,
  hostname: hostname,
  ip_address: ip.optional(),
  os: line(100, "os").optional(),
  kind: z.enum(ASSET_KINDS).optional(),
  criticality: z.enum(CRITICALITIES).optional(),
  owner_email: z.email().max(254).optional(),
  last_seen_at: timestamp.optional(),
});

export type AssetItem = z.output<typeof assetItemSchema>;

export const upsertAssetsBody = z.strictObject({
  assets: z.array(batchItem(assetItemSchema)).min(1).max(MAX_BATCH),
});

export const heartbeatBody = z.strictObject({
  name: line(100, "name").describe("The collector's name, unique in the tenant."),
  version: line(50, "version").optional(),
  hostname: hostname.optional(),
  last_pull_at: timestamp.optional(),
  /** null clears the error; absent leaves it. */
  last_error: text(1000, "last_error").min(1).nullable().optional(),
});

export type Heartbeat = z.output<typeof heartbeatBody>;
