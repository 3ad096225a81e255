// What a legacy single-tenant install's users, assets and alerts must look
// like to be imported (zod, per row). The shapes follow the portal's own
// columns and check constraints, so a row that passes here is one Postgres
// accepts; the messages name the field and say what is expected.
import { createHash } from "node:crypto";
import { z } from "zod";
import { ALERT_SEVERITIES } from "@/lib/alerts/severity";

const blankToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);
const opt = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
const text = (max: number) => z.preprocess((v) => (typeof v === "number" ? String(v) : v), z.string().trim().max(max, `at most ${max} characters`));
const lower = (v: unknown) => (typeof v === "string" ? v.trim().toLowerCase().replace(/[\s-]+/g, "_") : v);
const email = z.preprocess((v) => (typeof v === "string" ? v.trim().toLowerCase() : v), z.string().email("not an email address").max(320));
const when = z.preprocess(
  (v) => (typeof v === "string" || typeof v === "number" ? new Date(typeof v === "number" && v < 1e12 ? v * 1000 : v) : v),
  z.date({ message: "not a date and time (ISO 8601, e.g. 2026-11-30T09:15:00Z)" }).refine((d) => !Number.isNaN(d.getTime()), "not a date and time (ISO 8601)"),
);
const ip = z.preprocess((v) => (typeof v === "string" ? v.trim() : v), z.union([z.ipv4(), z.ipv6()], { message: "not an IP address" }));
const HOSTNAME = /^[a-z0-9]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\.?$/;

const ROLE_ALIASES: Record<string, string> = { admin: "tenant_admin", analyst: "tenant_analyst", viewer: "tenant_viewer", read_only: "tenant_viewer" };

export const legacyUser = z.object({
  // At most 254 characters: the longest address mail can be sent to (the outbox's limit), and users without a hash are invited by email.
  email: email.pipe(z.string().max(254, "at most 254 characters")),
  name: opt(text(200)).transform((v) => v ?? ""),
  role: z
    .preprocess((v) => {
      const r = lower(blankToUndefined(v) ?? "viewer");
      return typeof r === "string" ? (ROLE_ALIASES[r] ?? r) : r;
    }, z.enum(["tenant_admin", "tenant_analyst", "tenant_viewer"], { message: "one of admin, analyst, viewer" })),
  password_hash: opt(
    z.string().regex(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/, "only argon2id hashes can be carried over; leave it empty and the user is invited instead"),
  ),
});

export const legacyAsset = z.object({
  hostname: z.preprocess(
    (v) => (typeof v === "string" ? v.trim().toLowerCase() : v),
    z.string().min(1, "required").max(253, "at most 253 characters").regex(HOSTNAME, "not a hostname"),
  ),
  ip_address: opt(ip),
  os: opt(text(100)).transform((v) => v ?? "unknown"),
  kind: opt(z.preprocess(lower, z.enum(["workstation", "server", "network", "cloud", "mobile"], { message: "one of workstation, server, network, cloud, mobile" }))).transform(
    (v) => v ?? "workstation",
  ),
  criticality: opt(z.preprocess(lower, z.enum(["critical", "high", "medium", "low"], { message: "one of critical, high, medium, low" }))).transform((v) => v ?? "medium"),
  owner_email: opt(email),
  last_seen_at: opt(when),
});

export const legacyAlert = z.object({
  external_id: opt(text(200)),
  title: text(300).pipe(z.string().min(1, "required")),
  description: opt(text(20_000)).transform((v) => v ?? ""),
  severity: z.preprocess((v) => (lower(v) === "informational" ? "info" : lower(v)), z.enum(ALERT_SEVERITIES, { message: `one of ${ALERT_SEVERITIES.join(", ")}` })),
  // "investigating" was the one open status after "new" before triage (issue 10): read as in_progress.
  status: opt(z.preprocess((v) => (lower(v) === "investigating" ? "in_progress" : lower(v)), z.enum(["new", "acknowledged", "in_progress", "resolved", "false_positive"], { message: "one of new, acknowledged, in_progress (or investigating), resolved, false_positive" }))).transform(
    (v) => v ?? "new",
  ),
  source: text(100).pipe(z.string().min(1, "required")),
  rule_name: opt(text(300)),
  hostname: opt(z.preprocess((v) => (typeof v === "string" ? v.trim().toLowerCase() : v), z.string().max(253))),
  source_ip: opt(ip),
  assigned_to: opt(email),
  detected_at: when,
  resolved_at: opt(when),
});

export type LegacyUser = z.infer<typeof legacyUser>;
export type LegacyAsset = z.infer<typeof legacyAsset>;
export type LegacyAlert = z.infer<typeof legacyAlert>;

/**
 * A stable id for an imported row: a name-based UUID (version 5 layout) of
 * the tenant and the row's natural key, so importing the same file again
 * names the same rows and inserts nothing twice.
 */
export function stableId(tenantId: string, kind: string, key: string): string {
  const h = createHash("sha1").update(Buffer.from(tenantId.replace(/-/g, ""), "hex")).update(`${kind}:${key}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** An alert without an external id is named by what it is: source, rule, title, host and time. */
export function alertKey(a: LegacyAlert): string {
  return a.external_id ? `id:${a.external_id}` : `content:${JSON.stringify([a.source, a.rule_name ?? null, a.title, a.hostname ?? null, a.detected_at.toISOString()])}`;
}

/** The first problem of a row, as field + reason ("required" when the field is missing or empty). */
export function firstIssue(error: z.ZodError, input: Record<string, unknown>): { field: string | null; reason: string } {
  const issue = error.issues[0];
  const field = issue.path.length ? String(issue.path[0]) : null;
  const given = field === null ? undefined : input[field];
  return { field, reason: given === undefined || given === null || given === "" ? "required" : issue.message };
}
