// Field shapes shared by every ingestion schema. Every string is bounded and
// free of NUL and other control characters: Postgres refuses NUL in text, and
// a control character in a title or host name is never what a sensor meant.
// What these accept is stored as data (bind parameters, never SQL text), so a
// SQL or script payload in any field is just a string that comes back as sent.
import { z } from "zod";

// Tab, newline and carriage return are allowed in free text (descriptions).
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f]/;

/** A one-line string of 1..max characters, not blank. */
export function line(max: number, what = "this field") {
  return z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !CONTROL_OR_NEWLINE.test(s), `${what} cannot contain control characters`)
    .refine((s) => s.trim().length > 0, `${what} cannot be blank`);
}

/** Free text of at most max characters (may be empty; tabs and newlines allowed). */
export function text(max: number, what = "this field") {
  return z
    .string()
    .max(max)
    .refine((s) => !CONTROL.test(s), `${what} cannot contain control characters`);
}

export const uuid = z.uuid();
export const ip = z.union([z.ipv4(), z.ipv6()]);
/**
 * A real calendar moment in 1970-9999 (Postgres refuses year 0000, and an alert from before 1970 is a
 * broken clock), with a zone offset Postgres takes: at most 15:59 either way (RFC 3339 allows up to
 * 23:59, and Postgres answers those with an error that would lose a whole batch).
 */
export function plausibleMoment(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!m) return false;
  const zone = /([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(text.slice(19).replace(/^\.\d+/, ""));
  if (zone && (Number(zone[2]) > 15 || Number(zone[3] ?? 0) > 59 || Number(zone[4] ?? 0) > 59)) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  // A day the month has (not 30 February), and a time of day that exists.
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1970 && year <= 9999 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
}

/** An RFC 3339 timestamp with a zone ("2026-12-01T10:00:00Z", "…+02:00"), in 1970-9999. */
export const timestamp = z.iso.datetime({ offset: true }).refine(plausibleMoment, "a real time between 1970 and 9999, its zone offset within ±15:59");
export const STATUSES = ["new", "acknowledged", "in_progress", "resolved", "false_positive"] as const;
export const ASSET_KINDS = ["workstation", "server", "network", "cloud", "mobile"] as const;
export const CRITICALITIES = ["critical", "high", "medium", "low"] as const;

/** A source system's id for an object: printable, 1..200 characters. */
export const externalId = line(200, "external_id");
/** Where an alert came from ("crowdstrike", "sentinel", "suricata-eu"…). */
export const sourceName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._:/-]*$/, "source is letters, digits, spaces and . _ : / - (starting with a letter or digit)");
/** A DNS-ish host name as sensors report it (not validated as DNS: NetBIOS names and FQDNs alike). */
export const hostname = line(253, "hostname");

/** Byte size of a JSON value as sent (UTF-8). Recursive (JSON.stringify): check jsonDepthWithin first. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
}

/**
 * Whether a JSON value nests at most `max` levels of objects and arrays (the value itself is level 1
 * when it is one). Walked with an explicit stack, no recursion: a value nested 100,000 deep is
 * measured, not a stack overflow (JSON.stringify overflows at about 10,000).
 */
export function jsonDepthWithin(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > max) return false;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return true;
}

/** An item of a batch: parsed, or refused with the reason (the rest of the batch carries on). */
export type BatchItem<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Issues of a refused item as one bounded sentence: "title: too long; severity: …". */
export function issuesReason(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, 5).map((i) => {
    const where = i.path.length ? `${i.path.map(String).join(".")}: ` : "";
    if (i.code === "unrecognized_keys") return `${where}unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40))).join(", ")}`;
    return `${where}${i.message}`;
  });
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : "";
  return (parts.join("; ") + more).slice(0, 500);
}

/**
 * One item of a batch schema: a value that does not parse becomes
 * { ok: false, reason } instead of failing the whole body, so valid items are
 * stored and invalid ones reported (partial success). The JSON Schema of the
 * result is the item's own (z.toJSONSchema documents the inner schema).
 */
export function batchItem<T extends z.ZodType>(schema: T) {
  return schema
    .transform((value): BatchItem<z.output<T>> => ({ ok: true, value }))
    .catch((ctx): BatchItem<z.output<T>> => ({ ok: false, reason: issuesReason(ctx.error.issues) }));
}
