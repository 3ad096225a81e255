// Turning a vendor's fields into values the ingest schema accepts: bounded
// one-line strings without control characters, known severities, RFC 3339
// timestamps, IP literals. A value that cannot be made valid is left out
// rather than failing the alert (the API would reject the item otherwise).
import { z } from "zod";
import { ALERT_SEVERITIES, type AlertSeverityName } from "@/lib/alerts/severity";
import { jsonBytes, jsonDepthWithin } from "@/lib/ingest/fields";
import { MAX_RAW_BYTES, MAX_RAW_DEPTH } from "@/lib/ingest/schemas";

const CONTROL = /[\u0000-\u001f\u007f]+/g;

/** A one-line string of at most `max` characters, or undefined when nothing printable is left. */
export function oneLine(value: unknown, max: number): string | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const text = String(value).replace(CONTROL, " ").trim();
  if (!text) return undefined;
  return [...text].slice(0, max).join("");
}

/** Free text (newlines and tabs kept) of at most `max` characters. */
export function freeText(value: unknown, max: number): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]+/g, " ");
  return text ? [...text].slice(0, max).join("") : undefined;
}

export function severityOf(value: unknown): AlertSeverityName | undefined {
  const v = typeof value === "string" ? value.trim().toLowerCase() : "";
  if ((ALERT_SEVERITIES as readonly string[]).includes(v)) return v as AlertSeverityName;
  if (v === "informational") return "info";
  return undefined;
}

const timestamp = z.iso.datetime({ offset: true });

/** An RFC 3339 timestamp the API takes (never ahead of now: the API refuses more than 5 minutes ahead). */
export function timestampOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms > Date.now()) return undefined;
  return timestamp.safeParse(value).success ? value : new Date(ms).toISOString();
}

const ipSchema = z.union([z.ipv4(), z.ipv6()]);
export function ipOf(value: unknown): string | undefined {
  return typeof value === "string" && ipSchema.safeParse(value).success ? value : undefined;
}

/** The vendor's object as the raw payload, or undefined when it is too large to keep. */
export function rawOf(value: unknown): Record<string, unknown> | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  // Depth first (no recursion): the byte count's JSON.stringify overflows the stack on a very deep object.
  return jsonDepthWithin(value, MAX_RAW_DEPTH) && jsonBytes(value) <= MAX_RAW_BYTES ? (value as Record<string, unknown>) : undefined;
}

export function objectAt(value: unknown, key: string): Record<string, unknown> {
  const v = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
