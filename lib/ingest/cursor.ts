// Opaque keyset cursors for the API's lists. A cursor is the sort key of the
// last row of a page, base64url-encoded JSON; the next page starts strictly
// after it. Keyset (not OFFSET) paging is stable under concurrent inserts: a
// row that existed when paging began is returned exactly once, and a new row
// shows up only if it sorts after the cursor. Timestamps travel as Postgres
// text (microseconds), not as JS Dates (milliseconds), so two rows 0.3 ms
// apart are never skipped or repeated.
//
// A cursor is a position, not a permission: whatever it says, the next page is
// read under RLS and the same filters.
import { z } from "zod";
import { IngestRefusal } from "./errors";
import { plausibleMoment } from "./fields";

const PG_TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2}){0,2}|Z)?$/;

// A forged cursor gets the same clear 422 as a garbled one, never a 500 from Postgres: the time must be a real
// calendar moment (not 30 February) and the hostname free of control characters (Postgres refuses NUL).
const alertCursor = z.tuple([z.string().regex(PG_TIMESTAMPTZ).refine(plausibleMoment), z.uuid()]);
const assetCursor = z.tuple([z.string().min(1).max(253).regex(/^[^\u0000-\u001f\u007f]+$/), z.uuid()]);

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

function decode<T>(cursor: string, schema: z.ZodType<T>): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const r = schema.safeParse(parsed);
  if (!r.success) throw new IngestRefusal("invalid", "The cursor is not one this API issued; start again without it.");
  return r.data;
}

export interface AlertPosition {
  detectedAt: string;
  id: string;
}

export const encodeAlertCursor = (p: AlertPosition) => encode([p.detectedAt, p.id]);
export function decodeAlertCursor(cursor: string): AlertPosition {
  const [detectedAt, id] = decode(cursor, alertCursor);
  return { detectedAt, id };
}

export interface AssetPosition {
  hostname: string;
  id: string;
}

export const encodeAssetCursor = (p: AssetPosition) => encode([p.hostname, p.id]);
export function decodeAssetCursor(cursor: string): AssetPosition {
  const [hostname, id] = decode(cursor, assetCursor);
  return { hostname, id };
}
