// The connectors a tenant can hold credentials for: what each one asks for
// (non-secret settings, exactly one secret), how each value is validated, and
// the one real HTTP request that checks a credential works.
//
// Pure data and functions: no I/O here. lib/credentials/verify.ts sends the
// request; store.ts validates with these schemas before anything is sealed.
// Messages never quote the value they judge, so a refused secret is never
// echoed back to the form (or to a log line).
import { z } from "zod";
import { CONNECTOR_KINDS, type ConnectorKind } from "@/drizzle/credentials";
import { pullPhrases } from "./pull-phrases";
import { normalizeBaseUrl, publicHttpsUrlProblem } from "./url-safety";

export { CONNECTOR_KINDS, type ConnectorKind };

export type ConnectorConfig = Record<string, string>;

export interface ConnectorField {
  /** Key in the stored config (and `cfg_<name>` in forms). */
  name: string;
  label: string;
  help?: string;
  placeholder?: string;
  /** Filled in when the form field is left empty. */
  defaultValue?: string;
  optional?: boolean;
  /** Keep leading and trailing spaces (a prefix like "Bearer "); other fields are trimmed. */
  keepSpaces?: boolean;
  /** A fixed list (rendered as a select). */
  options?: readonly { value: string; label: string }[];
  /** Parses the trimmed text (undefined when empty) to the stored value. */
  schema: z.ZodType<string | undefined>;
}

export interface ConnectorSecret {
  label: string;
  /** How messages name it: "CrowdStrike refused the client secret (401)". */
  noun: string;
  help: string;
  placeholder?: string;
  /** Never trimmed or transformed: what is typed is what is sealed. */
  schema: z.ZodType<string>;
}

/** One HTTP request that proves a credential works. */
export interface VerifyRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Statuses that mean "the credential works". */
  okStatuses: readonly number[];
}

export interface Connector {
  kind: ConnectorKind;
  label: string;
  /** For tight places: the table, the picker. */
  shortLabel: string;
  /** Who answers, in messages: "CrowdStrike refused the client secret (401)". */
  vendor: string;
  help: string;
  /**
   * Whether the collector pulls alerts with this kind (lib/collector/vendors PULLERS;
   * tests/collector-status.test.ts holds the two together). The others are kept and tested only.
   */
  pulledByCollector: boolean;
  fields: readonly ConnectorField[];
  secret: ConnectorSecret;
  /** The non-secret fields a refusal may be about, for messages ("check the client ID and region"). */
  checkHint: string;
  verify(config: ConnectorConfig, secret: string): VerifyRequest;
  /**
   * A fixed phrase for a vendor's error code found in a refusal's JSON body
   * (never the body's own text, which may quote the secret back).
   */
  explain?(status: number, body: unknown): string | undefined;
}

// ---------------------------------------------------------------------------
// Shared rules
// ---------------------------------------------------------------------------

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** RFC 9110 token characters: what a header name may contain. */
const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the platform owns; a connector may not set them. */
const RESERVED_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer", "keep-alive", "expect", "cookie", "proxy-authorization"]);

const required = (label: string) => z.string({ message: `Enter the ${label}` }).min(1, `Enter the ${label}`);

function guidField(label: string): ConnectorField["schema"] {
  return required(label).regex(GUID, `The ${label} is a GUID like 00000000-0000-0000-0000-000000000000`).transform((v) => v.toLowerCase());
}

function urlField(label: string, opts: { allowPath?: boolean } = {}): ConnectorField["schema"] {
  return required(label)
    .max(2048, `The ${label} is too long`)
    .superRefine((value, ctx) => {
      const problem = publicHttpsUrlProblem(value, opts);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .transform(normalizeBaseUrl);
}

/** Printable ASCII, no whitespace, length in range; messages never quote the value. */
function secretRule(label: string, min: number, max: number, pattern = /^[\x21-\x7e]+$/, patternMessage?: string): ConnectorSecret["schema"] {
  return z
    .string({ message: `Enter the ${label}` })
    .min(1, `Enter the ${label}`)
    .refine((v) => !/\s/.test(v), `The ${label} cannot contain spaces or line breaks (check for a stray space when pasting)`)
    .refine((v) => v.length >= min, `The ${label} is at least ${min} characters`)
    .refine((v) => v.length <= max, `The ${label} is at most ${max} characters`)
    .refine((v) => pattern.test(v), patternMessage ?? `The ${label} contains characters it cannot have`);
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** The `error`, `error_codes` or `code` a JSON error body carries, if any. */
function jsonField(body: unknown, key: string): unknown {
  return body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>)[key] : undefined;
}

// ---------------------------------------------------------------------------
// The connectors
// ---------------------------------------------------------------------------

export const CROWDSTRIKE_REGIONS = {
  "us-1": "https://api.crowdstrike.com",
  "us-2": "https://api.us-2.crowdstrike.com",
  "eu-1": "https://api.eu-1.crowdstrike.com",
  "us-gov-1": "https://api.laggar.gcw.crowdstrike.com",
} as const;
type CrowdStrikeRegion = keyof typeof CROWDSTRIKE_REGIONS;

const crowdstrike: Connector = {
  kind: "crowdstrike_falcon",
  shortLabel: "CrowdStrike",
  label: "CrowdStrike Falcon",
  vendor: "CrowdStrike",
  help: "An API client from Falcon console → Support and resources → API clients and keys. Read-only scopes are enough for alerts.",
  pulledByCollector: false,
  checkHint: "the client ID and cloud region",
  fields: [
    {
      name: "region",
      label: "Cloud region",
      help: "The Falcon cloud your console runs in.",
      defaultValue: "us-1",
      options: [
        { value: "us-1", label: "US-1 (api.crowdstrike.com)" },
        { value: "us-2", label: "US-2 (api.us-2.crowdstrike.com)" },
        { value: "eu-1", label: "EU-1 (api.eu-1.crowdstrike.com)" },
        { value: "us-gov-1", label: "US-GOV-1 (api.laggar.gcw.crowdstrike.com)" },
      ],
      schema: z.enum(Object.keys(CROWDSTRIKE_REGIONS) as [CrowdStrikeRegion, ...CrowdStrikeRegion[]], { message: "Pick a cloud region" }),
    },
    {
      name: "clientId",
      label: "Client ID",
      placeholder: "32 hexadecimal characters",
      schema: required("client ID")
        .regex(/^[0-9a-f]{32}$/i, "The client ID is 32 hexadecimal characters (0-9, a-f)")
        .transform((v) => v.toLowerCase()),
    },
  ],
  secret: {
    label: "Client secret",
    noun: "client secret",
    help: "Shown once by Falcon when the API client is created: 40 letters and digits.",
    schema: secretRule("client secret", 40, 40, /^[A-Za-z0-9]+$/, "The client secret has only letters and digits"),
  },
  verify(config, secret) {
    return {
      method: "POST",
      url: `${CROWDSTRIKE_REGIONS[config.region as CrowdStrikeRegion]}/oauth2/token`,
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form({ client_id: config.clientId, client_secret: secret }),
      okStatuses: [201],
    };
  },
};

const sentinelone: Connector = {
  kind: "sentinelone",
  shortLabel: "SentinelOne",
  label: "SentinelOne",
  vendor: "SentinelOne",
  help: "An API token of a service user (Settings → Users → Service users) with read access to threats.",
  pulledByCollector: true,
  checkHint: "the console URL",
  fields: [
    {
      name: "consoleUrl",
      label: "Management console URL",
      placeholder: "https://yourcompany.sentinelone.net",
      schema: urlField("management console URL"),
    },
  ],
  secret: {
    label: "API token",
    noun: "API token",
    help: "The service user's API token (a long JWT-like string).",
    schema: secretRule("API token", 40, 4096, /^[A-Za-z0-9._~+/=-]+$/, "The API token has only letters, digits and . _ ~ + / = -"),
  },
  verify(config, secret) {
    return {
      method: "GET",
      url: `${config.consoleUrl}/web/api/v2.1/system/info`,
      headers: { authorization: `ApiToken ${secret}`, accept: "application/json" },
      okStatuses: [200],
    };
  },
};

/** Microsoft identity platform error codes (AADSTS…) worth naming. */
const AADSTS: Record<number, string> = {
  7000215: "the client secret is not valid for this application",
  7000222: "the client secret has expired",
  700016: "no application with that client ID exists in the directory",
  90002: "the directory (tenant) ID was not found",
  900023: "the directory (tenant) ID is not valid",
  700023: "the application is not allowed to use client credentials",
};

const defender: Connector = {
  kind: "microsoft_defender",
  shortLabel: "Defender",
  label: "Microsoft Defender",
  vendor: "Microsoft",
  help: "An Entra ID app registration with the WindowsDefenderATP application permissions it needs (e.g. Alert.Read.All), admin consent granted.",
  pulledByCollector: false,
  checkHint: "the directory ID and application ID",
  fields: [
    { name: "directoryId", label: "Directory (tenant) ID", placeholder: "00000000-0000-0000-0000-000000000000", schema: guidField("directory (tenant) ID") },
    { name: "applicationId", label: "Application (client) ID", placeholder: "00000000-0000-0000-0000-000000000000", schema: guidField("application (client) ID") },
  ],
  secret: {
    label: "Client secret",
    noun: "client secret",
    help: "The secret's Value (not its Secret ID) from Certificates & secrets.",
    schema: secretRule("client secret", 30, 512),
  },
  verify(config, secret) {
    return {
      method: "POST",
      url: `https://login.microsoftonline.com/${config.directoryId}/oauth2/v2.0/token`,
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form({
        client_id: config.applicationId,
        client_secret: secret,
        grant_type: "client_credentials",
        scope: "https://api.securitycenter.microsoft.com/.default",
      }),
      okStatuses: [200],
    };
  },
  explain(_status, body) {
    const codes = jsonField(body, "error_codes");
    if (Array.isArray(codes)) for (const c of codes) if (typeof c === "number" && AADSTS[c]) return AADSTS[c];
    return undefined;
  },
};

/** Splunk HEC response codes (docs: "Troubleshoot HTTP Event Collector"). */
const SPLUNK_CODES: Record<number, string> = {
  1: "HEC is disabled on the Splunk side",
  2: "the token was not sent",
  3: "the authorization header is malformed",
  4: "the token is not valid",
  7: "the token may not write to that index",
  9: "Splunk is busy; try again later",
  14: "the token is disabled",
};

const splunk: Connector = {
  kind: "splunk_hec",
  shortLabel: "Splunk HEC",
  label: "Splunk HTTP Event Collector",
  vendor: "Splunk",
  help: "An HEC token (Settings → Data inputs → HTTP Event Collector).",
  pulledByCollector: false,
  checkHint: "the HEC URL and index",
  fields: [
    {
      name: "hecUrl",
      label: "HEC URL",
      help: "Scheme, host and port of the collector, e.g. https://http-inputs-acme.splunkcloud.com or https://splunk.example.com:8088.",
      placeholder: "https://splunk.example.com:8088",
      schema: urlField("HEC URL"),
    },
    {
      name: "index",
      label: "Index",
      help: "Optional: leave empty for the token's default index.",
      placeholder: "security",
      optional: true,
      schema: z
        .string()
        .max(80, "An index name is at most 80 characters")
        .regex(/^[a-z0-9_-]+$/, "Index names use lowercase letters, digits, _ and -")
        .optional(),
    },
  ],
  secret: {
    label: "HEC token",
    noun: "HEC token",
    help: "A GUID like 00000000-0000-0000-0000-000000000000.",
    schema: secretRule("HEC token", 36, 36, GUID, "The HEC token is a GUID like 00000000-0000-0000-0000-000000000000"),
  },
  verify(config, secret) {
    const event: Record<string, unknown> = {
      event: { message: "mssp-portal connection test", source: "mssp-portal" },
      sourcetype: "mssp-portal:connection-test",
    };
    if (config.index) event.index = config.index;
    return {
      method: "POST",
      url: `${config.hecUrl}/services/collector/event`,
      headers: { authorization: `Splunk ${secret}`, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(event),
      okStatuses: [200],
    };
  },
  explain(_status, body) {
    const code = jsonField(body, "code");
    return typeof code === "number" ? SPLUNK_CODES[code] : undefined;
  },
};

const generic: Connector = {
  kind: "generic_api_key",
  shortLabel: "API key",
  label: "Generic API key",
  vendor: "The service",
  help: "Any HTTPS API that takes a key in a request header. The test sends one GET to the test path.",
  pulledByCollector: true,
  checkHint: "the base URL, test path and header",
  fields: [
    { name: "baseUrl", label: "Base URL", placeholder: "https://api.example.com/v1", schema: urlField("base URL", { allowPath: true }) },
    {
      name: "testPath",
      label: "Test path",
      help: "Appended to the base URL for the connection test.",
      defaultValue: "/",
      placeholder: "/",
      schema: z
        .string()
        .max(512, "The test path is at most 512 characters")
        .regex(/^\/(?!\/)[^\s#\\]*$/, "The test path starts with a single / and has no spaces, # or \\")
        .optional()
        .transform((v) => v ?? "/"),
    },
    {
      name: "headerName",
      label: "Header name",
      defaultValue: "Authorization",
      placeholder: "Authorization",
      schema: z
        .string()
        .max(100, "A header name is at most 100 characters")
        .regex(HEADER_TOKEN, "A header name uses letters, digits and - (no spaces or colons)")
        .refine((v) => !RESERVED_HEADERS.has(v.toLowerCase()), "That header is set by the portal itself; pick another")
        .optional()
        .transform((v) => v ?? "Authorization"),
    },
    {
      name: "valuePrefix",
      label: "Value prefix",
      help: 'Optional text before the key, e.g. "Bearer " (include the space).',
      placeholder: "Bearer ",
      optional: true,
      keepSpaces: true,
      schema: z
        .string()
        .max(40, "The prefix is at most 40 characters")
        .regex(/^[\x20-\x7e]*$/, "The prefix uses printable characters only")
        .optional(),
    },
  ],
  secret: {
    label: "API key",
    noun: "API key",
    help: "8 to 512 printable characters, no spaces.",
    schema: secretRule("API key", 8, 512),
  },
  verify(config, secret) {
    const base = new URL(config.baseUrl);
    const url = new URL(`${base.pathname.replace(/\/+$/, "")}${config.testPath || "/"}`, base.origin);
    return {
      method: "GET",
      url: url.toString(),
      headers: { [config.headerName || "Authorization"]: `${config.valuePrefix ?? ""}${secret}`, accept: "application/json" },
      okStatuses: [200, 201, 202, 204],
    };
  },
};

export const CONNECTORS: Readonly<Record<ConnectorKind, Connector>> = {
  crowdstrike_falcon: crowdstrike,
  sentinelone,
  microsoft_defender: defender,
  splunk_hec: splunk,
  generic_api_key: generic,
};

export function isConnectorKind(value: unknown): value is ConnectorKind {
  return typeof value === "string" && (CONNECTOR_KINDS as readonly string[]).includes(value);
}

/** The kinds the collector pulls from and the others, as phrases for UI text (lib/credentials/pull-phrases.ts). */
export function connectorsByPull(): { pulled: string; keptOnly: string } {
  return pullPhrases(CONNECTOR_KINDS.map((k) => CONNECTORS[k]));
}

export function connectorOf(kind: ConnectorKind): Connector {
  return CONNECTORS[kind];
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

export type FieldErrors = Record<string, string[]>;

/** Form name of a config field: `cfg_clientId`. */
export const configFieldName = (name: string) => `cfg_${name}`;

function clean(value: unknown, keepSpaces = false): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = keepSpaces ? value : value.trim();
  return text.trim() === "" ? undefined : text;
}

/**
 * The connector's config from raw values (keyed by field name), trimmed, with
 * defaults applied. Unknown keys are dropped. Errors are keyed by
 * `keyOf(field)` (the form's input names by default).
 */
export function parseConfig(
  kind: ConnectorKind,
  raw: Record<string, unknown>,
  keyOf: (field: string) => string = configFieldName,
): { ok: true; config: ConnectorConfig } | { ok: false; fieldErrors: FieldErrors } {
  const connector = CONNECTORS[kind];
  const config: ConnectorConfig = {};
  const fieldErrors: FieldErrors = {};
  for (const field of connector.fields) {
    const value = clean(raw[field.name], field.keepSpaces) ?? field.defaultValue;
    const parsed = field.schema.safeParse(value);
    if (!parsed.success) fieldErrors[keyOf(field.name)] = parsed.error.issues.map((i) => i.message);
    else if (parsed.data !== undefined && parsed.data !== "") config[field.name] = parsed.data;
  }
  return Object.keys(fieldErrors).length ? { ok: false, fieldErrors } : { ok: true, config };
}

/** Whether `secret` is well-formed for the connector; the messages never contain it. */
export function checkSecret(kind: ConnectorKind, secret: unknown): { ok: true; secret: string } | { ok: false; errors: string[] } {
  const parsed = CONNECTORS[kind].secret.schema.safeParse(typeof secret === "string" ? secret : "");
  if (parsed.success) return { ok: true, secret: parsed.data };
  // First failing rule only: "at least 40" after "no spaces" says nothing new.
  return { ok: false, errors: [parsed.error.issues[0]?.message ?? `Enter the ${CONNECTORS[kind].secret.label.toLowerCase()}`] };
}

// ---------------------------------------------------------------------------
// What a form needs (plain data, safe to send to the browser)
// ---------------------------------------------------------------------------

export interface ConnectorFormSpec {
  kind: ConnectorKind;
  label: string;
  shortLabel: string;
  help: string;
  pulledByCollector: boolean;
  fields: { name: string; label: string; keepSpaces?: boolean; help?: string; placeholder?: string; defaultValue?: string; optional?: boolean; options?: { value: string; label: string }[] }[];
  secret: { label: string; help: string; placeholder?: string };
}

export function connectorFormSpecs(): ConnectorFormSpec[] {
  return CONNECTOR_KINDS.map((kind) => {
    const c = CONNECTORS[kind];
    return {
      kind,
      label: c.label,
      shortLabel: c.shortLabel,
      help: c.help,
      pulledByCollector: c.pulledByCollector,
      fields: c.fields.map((f) => ({
        keepSpaces: f.keepSpaces,
        name: f.name,
        label: f.label,
        help: f.help,
        placeholder: f.placeholder,
        defaultValue: f.defaultValue,
        optional: f.optional,
        options: f.options?.map((o) => ({ ...o })),
      })),
      secret: { label: c.secret.label, help: c.secret.help, placeholder: c.secret.placeholder },
    };
  });
}

/** A short summary of a config for the table (host, region, client ID …), never the secret. */
export function describeConfig(kind: ConnectorKind, config: ConnectorConfig): string {
  const host = (u: string | undefined) => {
    try {
      return u ? new URL(u).host : "";
    } catch {
      return "";
    }
  };
  switch (kind) {
    case "crowdstrike_falcon":
      return [config.region?.toUpperCase(), config.clientId && `client ${config.clientId.slice(0, 8)}…`].filter(Boolean).join(" · ");
    case "sentinelone":
      return host(config.consoleUrl);
    case "microsoft_defender":
      return config.applicationId ? `app ${config.applicationId.slice(0, 8)}…` : "";
    case "splunk_hec":
      return [host(config.hecUrl), config.index && `index ${config.index}`].filter(Boolean).join(" · ");
    case "generic_api_key":
      return host(config.baseUrl);
  }
}
