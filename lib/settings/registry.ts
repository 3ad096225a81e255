// The definitions: one entry per tenant setting. Pure data and zod schemas,
// no I/O. docs/configuration.md lists the same settings for people; a test
// (tests/settings-registry.test.ts) checks the page names every key here.
import { z } from "zod";
import { CONNECTOR_KINDS, CONNECTORS, type ConnectorKind } from "@/lib/credentials/connectors";
import { BRANDING_SETTINGS } from "@/lib/branding/settings-keys";

export const SETTING_GROUPS = ["features", "limits", "sla", "notifications", "health", "session", "locale", "profile", "branding", "integrations"] as const;
export type SettingGroup = (typeof SETTING_GROUPS)[number];

export const GROUP_LABELS: Record<SettingGroup, string> = {
  features: "Features",
  limits: "Limits",
  sla: "SLA targets",
  notifications: "Notifications",
  health: "Health monitoring",
  session: "Sign-in and sessions",
  locale: "Language and time zone",
  profile: "Profile",
  branding: "Branding",
  integrations: "Integrations",
};

/**
 * Who may change a setting:
 *   tenant  the tenant's admins and the MSSP's admins (PDP settings:manage)
 *   mssp    the MSSP's admins only (PDP settings:govern): what the customer
 *           bought. The database refuses anyone else too (migration 20261201001000).
 */
export type ChangedBy = "tenant" | "mssp";
/** The groups whose settings only the MSSP changes; the migration's trigger names the same three. */
export const MSSP_ONLY_GROUPS: readonly SettingGroup[] = ["features", "limits", "integrations"];

/** How the page edits a value (and how a form's text becomes one). */
export type SettingInput =
  | { kind: "boolean" }
  | { kind: "integer"; min: number; max: number; unit: string }
  | { kind: "select"; options: readonly { value: string; label: string }[] }
  | { kind: "list"; item: "email" | "uuid"; max: number }
  | { kind: "text"; max: number; placeholder?: string };

export interface SettingDefinition<T = unknown> {
  key: string;
  group: SettingGroup;
  label: string;
  description: string;
  /** The value at the MSSP when nothing is set anywhere. */
  default: T;
  /** Validates a stored or submitted value (type and bounds). */
  schema: z.ZodType<T>;
  input: SettingInput;
  /** The bounds in words, for the page and docs/configuration.md. */
  bounds: string;
  changedBy: ChangedBy;
  /**
   * A boolean that only tightens down the tree: once on at a tenant, a tenant
   * below cannot turn it off (it may still be locked off from above).
   */
  tightenOnly?: boolean;
  /**
   * What acts on the setting today, in words (docs/configuration.md says the
   * same). Absent: stored, inherited and shown, but nothing reads it yet; the
   * page says so rather than imply an effect.
   */
  enforcedBy?: string;
}

// ---------------------------------------------------------------------------
// Value types
// ---------------------------------------------------------------------------

const integer = (min: number, max: number, unit: string) => ({
  schema: z
    .number({ error: "Enter a whole number." })
    .int("Enter a whole number.")
    .min(min, `At least ${min} ${unit}.`)
    .max(max, `At most ${max} ${unit}.`),
  input: { kind: "integer", min, max, unit } as const,
  bounds: `${min}–${max} ${unit}`,
});

const boolean = { schema: z.boolean({ error: "Choose on or off." }), input: { kind: "boolean" } as const, bounds: "on or off" };

const ZONES = new Set<string>(["UTC", ...Intl.supportedValuesOf("timeZone")]);
/** An IANA time zone name the server's ICU knows (Europe/Paris, America/New_York, UTC). */
export const timeZoneSchema = z
  .string({ error: "Choose a time zone." })
  .refine((tz) => ZONES.has(tz), "Not a known IANA time zone (for example Europe/Paris).");

export const LANGUAGES = [
  { value: "en-US", label: "English (United States)" },
  { value: "en-GB", label: "English (United Kingdom)" },
  { value: "de-DE", label: "Deutsch (Deutschland)" },
  { value: "fr-FR", label: "Français (France)" },
  { value: "es-ES", label: "Español (España)" },
  { value: "it-IT", label: "Italiano (Italia)" },
  { value: "nl-NL", label: "Nederlands (Nederland)" },
  { value: "pt-BR", label: "Português (Brasil)" },
  { value: "ja-JP", label: "日本語 (日本)" },
] as const;

/** The industry a customer is in: its peer group on the comparison and benchmark pages (lib/analytics/peers.ts). */
export const INDUSTRIES = [
  { value: "unspecified", label: "Not specified" },
  { value: "financial_services", label: "Financial services" },
  { value: "healthcare", label: "Healthcare" },
  { value: "manufacturing", label: "Manufacturing" },
  { value: "retail", label: "Retail and e-commerce" },
  { value: "technology", label: "Technology" },
  { value: "public_sector", label: "Public sector" },
  { value: "energy_utilities", label: "Energy and utilities" },
  { value: "education", label: "Education" },
  { value: "professional_services", label: "Professional services" },
  { value: "other", label: "Other" },
] as const;
export type Industry = (typeof INDUSTRIES)[number]["value"];

const emailList = z
  .array(z.email("Each entry must be an email address.").max(254, "An address has at most 254 characters."), { error: "A list of email addresses." })
  .max(20, "At most 20 addresses.")
  .refine((xs) => new Set(xs.map((x) => x.toLowerCase())).size === xs.length, "An address is listed twice.");
const uuidList = z
  .array(z.uuid("Each entry must be a webhook id (a UUID)."), { error: "A list of webhook ids." })
  .max(20, "At most 20 webhooks.")
  .refine((xs) => new Set(xs).size === xs.length, "A webhook is listed twice.");

// ---------------------------------------------------------------------------
// The settings
// ---------------------------------------------------------------------------

const SEVERITIES = [
  ["critical", "Critical", 15, 240],
  ["high", "High", 60, 1440],
  ["medium", "Medium", 240, 4320],
  ["low", "Low", 1440, 10080],
] as const;
export type SlaSeverity = (typeof SEVERITIES)[number][0];
export const SLA_SEVERITIES: readonly SlaSeverity[] = SEVERITIES.map((s) => s[0]);
/** One week: the longest SLA target. */
const SLA_MAX_MINUTES = 43200;

/** Checks one definition's default against its own type, then widens it for the list. */
function define<T>(d: SettingDefinition<T>): SettingDefinition {
  return d as SettingDefinition;
}

/** The legal hold's key: retention and offboarding ask it by name (lib/retention, lib/lifecycle/offboard.ts). */
export const LEGAL_HOLD = "limits.legal_hold";

export const SETTINGS: readonly SettingDefinition[] = [
  // --- features: what the customer bought -----------------------------------
  define({
    key: "features.alert_triage",
    group: "features",
    label: "Alert triage",
    description: "Analysts acknowledge, assign, comment on and close alerts.",
    default: true,
    ...boolean,
    changedBy: "mssp",
    enforcedBy: "Alerts: off, the triage actions (status, assignment, comments, bulk) are refused for this tenant and the tenants below it, and the alert pages offer no triage controls.",
  }),
  define({
    key: "features.workflows",
    group: "features",
    label: "Routing and escalation rules",
    description: "Rules that route new alerts and escalate unacknowledged ones.",
    default: true,
    ...boolean,
    changedBy: "mssp",
    enforcedBy: "Workflows: off, rule and channel changes are refused, the page says so and the menu hides it, and no rule (the tenant's own or an ancestor's) is evaluated or escalates on this tenant's alerts.",
  }),
  define({
    key: "features.reports",
    group: "features",
    label: "Report exports",
    description: "Executive and operational reports (PDF, CSV) of this tenant: on demand, scheduled and in bulk runs.",
    default: true,
    ...boolean,
    changedBy: "mssp",
    enforcedBy:
      "Reports: off, no report is queued, scheduled or generated for the tenant (a due schedule moves on without one, a report queued before fails saying why, a bulk run skips it), the Reports page says so; reports made before stay downloadable. The MSSP's cross-tenant CSV is not affected.",
  }),

  // --- limits ------------------------------------------------------------------
  define({
    key: "limits.users",
    group: "limits",
    label: "Users",
    description: "Members plus open invitations the tenant may have.",
    default: 50,
    ...integer(1, 100_000, "users"),
    changedBy: "mssp",
    enforcedBy: "Team: an invitation (or a resend) that would take members plus open invitations past the limit is refused.",
  }),
  define({
    key: "limits.assets",
    group: "limits",
    label: "Assets",
    description: "Assets the tenant may register.",
    default: 10_000,
    ...integer(0, 10_000_000, "assets"),
    changedBy: "mssp",
    enforcedBy: "API: a new asset past the limit is rejected from its batch (known assets still update).",
  }),
  define({
    key: "limits.api_requests_per_minute",
    group: "limits",
    label: "API requests per minute",
    description: "Requests per minute the tenant's API clients may make.",
    default: 600,
    ...integer(1, 100_000, "requests/min"),
    changedBy: "mssp",
    enforcedBy: "API: one token bucket per tenant addressed, shared by every replica; past it, 429 with Retry-After.",
  }),
  define({
    key: "limits.api_key_requests_per_minute",
    group: "limits",
    label: "API requests per minute, per key",
    description: "Requests per minute one API key of the tenant may make (the tenant's own limit applies too).",
    default: 300,
    ...integer(1, 100_000, "requests/min"),
    changedBy: "mssp",
    enforcedBy: "API: one token bucket per key, shared by every replica; past it, 429 with Retry-After.",
  }),
  define({
    key: "limits.api_concurrent_requests",
    group: "limits",
    label: "Concurrent API requests",
    description: "API requests of the tenant in progress at once; more are answered 429 while other tenants proceed.",
    default: 8,
    ...integer(1, 256, "requests"),
    changedBy: "mssp",
    enforcedBy: "API: a request past the limit is answered 429 at once (per-tenant slots held in Postgres).",
  }),
  define({
    key: "limits.api_ingest_per_day",
    group: "limits",
    label: "Items ingested per day",
    description: "Alerts and assets the tenant may send through the API in 24 hours (a rolling bucket).",
    default: 100_000,
    ...integer(0, 100_000_000, "items/day"),
    changedBy: "mssp",
    enforcedBy: "API: an ingestion request that would take the tenant past it is refused whole (429, quota-exceeded).",
  }),
  define({
    key: "limits.api_keys",
    group: "limits",
    label: "API keys",
    description: "Live API keys (not revoked, not expired) the tenant may hold. Revoking one makes room.",
    default: 50,
    ...integer(1, 1_000, "keys"),
    changedBy: "mssp",
    enforcedBy: "API keys: creating one past the limit is refused (by the database too); revoked and expired keys do not count.",
  }),
  define({
    key: "limits.connection_tests_per_hour",
    group: "limits",
    label: "Connection tests per hour",
    description: "\"Test connection\" runs the tenant's admins may start per hour (each calls the vendor).",
    default: 60,
    ...integer(1, 10_000, "tests/hour"),
    changedBy: "mssp",
    enforcedBy: "Credentials: a test past the limit is refused with the time to wait; the vendor is not called.",
  }),
  define({
    key: "limits.connectors",
    group: "limits",
    label: "Connectors",
    description: "Connector credentials the tenant may hold. Adding one past the limit is refused.",
    // Generous: a plan sets its own; the default must not stop an MSSP that never looked.
    default: 200,
    ...integer(0, 10_000, "connectors"),
    changedBy: "mssp",
    enforcedBy: "Credentials: adding one past the limit is refused.",
  }),
  define({
    key: "limits.data_retention_days",
    group: "limits",
    label: "Data retention",
    description: "Days alerts are kept after they arrive in the portal (with their timelines). Assets are not purged.",
    default: 365,
    ...integer(7, 3650, "days"),
    changedBy: "mssp",
    enforcedBy: "Retention: a daily job deletes the tenant's alerts (and their timelines and rule runs) older than this, and records how many in the tenant's audit trail.",
  }),
  define({
    key: LEGAL_HOLD,
    group: "limits",
    label: "Legal hold",
    description:
      "Keeps this tenant's data and that of the tenants below it while a legal matter needs it: no alert is deleted for its age and the tenant cannot be offboarded until the hold is lifted.",
    default: false,
    ...boolean,
    changedBy: "mssp",
    // A hold placed on a customer covers its sites: none of them can lift it for itself.
    tightenOnly: true,
    enforcedBy:
      "Retention: the daily job deletes nothing of a tenant on hold (data retention resumes when it is lifted). Offboarding: refused while the tenant or one below it is on hold, and a hold cannot be placed on a tenant being offboarded (call the offboarding off first).",
  }),

  // --- SLA targets ---------------------------------------------------------------
  ...SEVERITIES.flatMap(([sev, label, ack, resolve]) => [
    define({
      key: `sla.${sev}.ack_minutes`,
      group: "sla",
      label: `${label}: time to acknowledge`,
      description: `Minutes from detection until a ${sev} alert must be acknowledged.`,
      default: ack,
      ...integer(1, SLA_MAX_MINUTES, "minutes"),
      changedBy: "tenant",
      enforcedBy: "Alerts: the SLA clocks and breached badges.",
    }),
    define({
      key: `sla.${sev}.resolve_minutes`,
      group: "sla",
      label: `${label}: time to resolve`,
      description: `Minutes from detection until a ${sev} alert must be resolved. Not shorter than the time to acknowledge.`,
      default: resolve,
      ...integer(1, SLA_MAX_MINUTES, "minutes"),
      changedBy: "tenant",
      enforcedBy: "Alerts: the SLA clocks and breached badges.",
    }),
  ]),

  // --- notification channels (defaults; delivery is lib/notifications') --------
  define({
    key: "notifications.emails",
    group: "notifications",
    label: "Email recipients",
    description: "Addresses notified by default (one per line).",
    default: [] as string[],
    schema: emailList,
    input: { kind: "list", item: "email", max: 20 },
    bounds: "up to 20 email addresses",
    changedBy: "tenant",
    enforcedBy: "Routing rules: mailed by a rule that notifies the tenant's default recipients.",
  }),
  define({
    key: "notifications.webhook_ids",
    group: "notifications",
    label: "Webhooks",
    description: "Ids of the tenant's webhook channels notified by default (one per line).",
    default: [] as string[],
    schema: uuidList,
    input: { kind: "list", item: "uuid", max: 20 },
    bounds: "up to 20 webhook ids",
    changedBy: "tenant",
    enforcedBy: "Routing rules: called by a rule that notifies the tenant's default recipients (enabled webhook channels of the tenant holding the value).",
  }),

  // --- health monitoring thresholds (lib/health, docs/health.md) ------------------
  ...(
    [
      ["health.collector_silent_warn_minutes", "Collector silent: degraded after", "Minutes without a heartbeat from a collector before the tenant is degraded.", 10, 1, 10080, "minutes"],
      ["health.collector_silent_critical_minutes", "Collector silent: down after", "Minutes without a heartbeat from a collector before the tenant is down (never below the degraded threshold).", 60, 1, 10080, "minutes"],
      ["health.alert_silence_hours", "No new alert: degraded after", "Hours without a new alert, for a tenant that has received one, before it is degraded (0: not checked).", 24, 0, 720, "hours"],
      ["health.credential_expiring_days", "Credential expiring: degraded within", "Days before a connector credential's expiry at which the tenant is degraded (an expired one makes it down).", 14, 0, 365, "days"],
      ["health.job_failures_per_hour", "Failed jobs per hour: degraded from", "Failed background jobs of the tenant in the last hour that make it degraded (0: not checked).", 1, 0, 10000, "jobs"],
      ["health.api_error_warn_percent", "API refusals: degraded from", "Share of the tenant's API requests refused in the last hour that makes it degraded (0: not checked; judged from 20 requests).", 20, 0, 100, "%"],
      ["health.api_error_critical_percent", "API refusals: down from", "Share of the tenant's API requests refused in the last hour that makes it down.", 80, 1, 100, "%"],
      ["health.quota_warn_percent", "Quota use: degraded from", "Use of a limit (assets, users, items ingested per day) that makes the tenant degraded (0: not checked); at 100% it is down.", 80, 0, 100, "%"],
      ["health.sign_in_failures_per_hour", "Failed sign-ins per hour: degraded from", "Failed or locked sign-ins of the tenant's members in the last hour that make it degraded (0: not checked).", 20, 0, 100000, "sign-ins"],
      ["health.denied_per_hour", "Denied attempts per hour: degraded from", "Refused actions and cross-tenant attempts (denied audit rows) in the last hour that make the tenant degraded (0: not checked).", 5, 0, 100000, "attempts"],
    ] as const
  ).map(([key, label, description, dflt, min, max, unit]) =>
    define({ key, group: "health", label, description, default: dflt as number, ...integer(min, max, unit), changedBy: "tenant", enforcedBy: "Health monitoring: the every-minute evaluation of the tenant's health state, shown on Status." }),
  ),

  // --- session policy --------------------------------------------------------------
  define({
    key: "session.mfa_required",
    group: "session",
    label: "MFA required",
    description: "Every member of this tenant, of the tenants below it and of those above it must use two-step verification (MSSP staff always must).",
    // The SQL of sessions.mfa_required() treats "not set" as false too.
    default: false,
    ...boolean,
    changedBy: "tenant",
    tightenOnly: true,
    enforcedBy: "Sign-in: checked on every request; members must set up two-step verification first.",
  }),
  define({
    key: "session.lifetime_hours",
    group: "session",
    label: "Session lifetime",
    description:
      "Hours a sign-in lasts at most for this tenant's members (the shortest of their tenants' applies). Not set anywhere: the server's SESSION_MAX_AGE_HOURS (12 unless configured).",
    default: 12,
    ...integer(1, 720, "hours"),
    changedBy: "tenant",
    enforcedBy: "Sign-in: a new session ends after this many hours, or the server's limit if shorter.",
  }),

  // --- locale ---------------------------------------------------------------------
  define({
    key: "locale.language",
    group: "locale",
    label: "Language",
    description: "The language the tenant's members are to read the portal in. Recorded only: the portal shows English, with dates in the tenant's time zone, to everyone today.",
    default: "en-US",
    schema: z.enum(LANGUAGES.map((l) => l.value) as [string, ...string[]], { error: "Choose one of the listed languages." }),
    input: { kind: "select", options: LANGUAGES },
    bounds: LANGUAGES.map((l) => l.value).join(", "),
    changedBy: "tenant",
  }),
  define({
    key: "locale.time_zone",
    group: "locale",
    label: "Time zone",
    description: "IANA time zone dates are shown in.",
    default: "UTC",
    schema: timeZoneSchema,
    input: { kind: "select", options: [...ZONES].sort().map((z) => ({ value: z, label: z })) },
    bounds: "an IANA time zone name",
    changedBy: "tenant",
    enforcedBy: "Times on the tenant's pages are shown in this zone (on the console, the MSSP's), each named, and so are the end of an invitation email's link and a report PDF's times of day (the report tenant's zone); day pickers, report periods and daily charts stay in UTC days.",
  }),

  // --- profile ----------------------------------------------------------------------
  define({
    key: "profile.industry",
    group: "profile",
    label: "Industry",
    description: "The industry the tenant is in: its peers on the MSSP's comparison page and on its own benchmark page.",
    default: "unspecified",
    schema: z.enum(INDUSTRIES.map((i) => i.value) as [Industry, ...Industry[]], { error: "Choose one of the listed industries." }),
    input: { kind: "select", options: INDUSTRIES },
    bounds: INDUSTRIES.map((i) => i.value).join(", "),
    changedBy: "tenant",
    enforcedBy: "Comparison and benchmarking: the industry peer group of the console's /compare and the tenant's /benchmark (not specified: in no industry group).",
  }),

  // --- branding: the brand of the tenant's hosts (lib/branding) ----------------------
  ...BRANDING_SETTINGS,

  // --- integrations: connector kinds ------------------------------------------------
  ...CONNECTOR_KINDS.map((kind) =>
    define({
      key: `integrations.${kind}`,
      group: "integrations",
      label: CONNECTORS[kind].label,
      description: `Credentials for ${CONNECTORS[kind].label} may be added. Off: none can be added, and existing ones show as disabled by configuration.`,
      default: true,
      ...boolean,
      changedBy: "mssp",
      enforcedBy: "Credentials: adding one of a disabled kind is refused.",
    }),
  ),
] as SettingDefinition[];

export type SettingKey = string;

const BY_KEY = new Map<string, SettingDefinition>(SETTINGS.map((d) => [d.key, d]));

export function isSettingKey(key: string): key is SettingKey {
  return BY_KEY.has(key);
}

/** The definition of a key, or undefined for an unknown one. */
export function settingDefinition(key: string): SettingDefinition | undefined {
  return BY_KEY.get(key);
}

export const integrationKey = (kind: ConnectorKind) => `integrations.${kind}` as const;

export const slaKeys = (severity: SlaSeverity) =>
  ({ ack: `sla.${severity}.ack_minutes`, resolve: `sla.${severity}.resolve_minutes` }) as const;
