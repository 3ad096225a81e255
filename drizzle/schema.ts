// Typed mirror of supabase/migrations. The SQL files are the source of truth
// (RLS, triggers and helpers live there); this file only lets lib/ query
// through drizzle with types. Keep the two in step.
import { sql } from "drizzle-orm";
import { ALERT_SEVERITIES, type AlertSeverityName } from "@/lib/alerts/severity";
import { PLAN_IDS } from "@/lib/lifecycle/plans";
import { TENANT_STATUSES } from "@/lib/lifecycle/states";
import {
  boolean,
  customType,
  foreignKey,
  inet,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

const ltree = customType<{ data: string }>({ dataType: () => "extensions.ltree" });

export const TENANT_KINDS = ["mssp", "customer", "site"] as const;
export const ROLES = ["mssp_admin", "mssp_analyst", "tenant_admin", "tenant_analyst", "tenant_viewer"] as const;
export const ALERT_STATUSES = ["new", "acknowledged", "in_progress", "resolved", "false_positive"] as const;
export const OPEN_ALERT_STATUSES = ["new", "acknowledged", "in_progress"] as const;

export type Role = (typeof ROLES)[number];
/** The alert severity (lib/alerts/severity.ts holds the list); many lib/ modules type by this name. */
export type Severity = AlertSeverityName;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const tenants = pgTable("tenants", {
  id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
  parentId: uuid("parent_id"),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  kind: text("kind", { enum: TENANT_KINDS }).notNull(),
  status: text("status", { enum: TENANT_STATUSES }).notNull().default("active"),
  path: ltree("path").notNull(),
  plan: text("plan", { enum: PLAN_IDS }).notNull().default("standard"),
  statusReason: text("status_reason"),
  statusChangedAt: timestamp("status_changed_at", { withTimezone: true }),
  statusChangedBy: uuid("status_changed_by"),
  deprovisionAfter: timestamp("deprovision_after", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
export type Tenant = typeof tenants.$inferSelect;

export const users = pgTable("users", {
  id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
  email: text("email").notNull(),
  name: text("name").notNull().default(""),
  passwordHash: text("password_hash"),
  failedLoginCount: integer("failed_login_count").notNull().default(0),
  lockedUntil: timestamp("locked_until", { withTimezone: true }),
  lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
export type User = typeof users.$inferSelect;

export const memberships = pgTable(
  "memberships",
  {
    tenantId: uuid("tenant_id").notNull().references(() => tenants.id),
    userId: uuid("user_id").notNull().references(() => users.id),
    role: text("role", { enum: ROLES }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId] })],
);
export type Membership = typeof memberships.$inferSelect;

export const assets = pgTable(
  "assets",
  {
    tenantId: uuid("tenant_id").notNull().references(() => tenants.id),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    hostname: text("hostname").notNull(),
    ipAddress: inet("ip_address"),
    os: text("os").notNull().default("unknown"),
    kind: text("kind", { enum: ["workstation", "server", "network", "cloud", "mobile"] }).notNull().default("workstation"),
    criticality: text("criticality", { enum: ["critical", "high", "medium", "low"] }).notNull().default("medium"),
    ownerEmail: text("owner_email"),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);
export type Asset = typeof assets.$inferSelect;

export const alerts = pgTable(
  "alerts",
  {
    tenantId: uuid("tenant_id").notNull().references(() => tenants.id),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    severity: text("severity", { enum: ALERT_SEVERITIES }).notNull(),
    status: text("status", { enum: ALERT_STATUSES }).notNull().default("new"),
    source: text("source").notNull(),
    ruleName: text("rule_name"),
    assetId: uuid("asset_id"),
    hostname: text("hostname"),
    sourceIp: inet("source_ip"),
    assignedTo: uuid("assigned_to").references(() => users.id),
    detectedAt: timestamp("detected_at", { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    closeReason: text("close_reason"),
    // Whether each SLA clock breached, decided when it stopped (20261201028000); null while it runs.
    ackBreached: boolean("ack_breached"),
    resolveBreached: boolean("resolve_breached"),
    // search (tsvector, generated) is read only through SQL in lib/alerts/list.ts.
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.assetId], foreignColumns: [assets.tenantId, assets.id] }),
  ],
);
export type Alert = typeof alerts.$inferSelect;

export const schema = { tenants, users, memberships, assets, alerts };

// ---------------------------------------------------------------------------
// Audit trail (supabase/migrations/20261123000500_audit_log.sql). Read-only
// mirror: rows are written by lib/audit with SQL (the database assigns seq,
// occurred_at, prev_hash and hash) and are never updated or deleted.
// (Its imports sit here so the block stays self-contained.)
// ---------------------------------------------------------------------------
import { bigint, jsonb } from "drizzle-orm/pg-core";

const auditBytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

export const AUDIT_OUTCOMES = ["success", "denied", "failure"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const auditLog = pgTable(
  "audit_log",
  {
    tenantId: uuid("tenant_id").notNull().references(() => tenants.id),
    seq: bigint("seq", { mode: "number" }).notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    actorId: uuid("actor_id"),
    actorEmail: text("actor_email"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    outcome: text("outcome", { enum: AUDIT_OUTCOMES }).notNull(),
    requestId: text("request_id"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull(),
    prevHash: auditBytea("prev_hash").notNull(),
    hash: auditBytea("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.seq] })],
);
export type AuditLogRow = typeof auditLog.$inferSelect;

// ---------------------------------------------------------------------------
// MFA (supabase/migrations/20261123000600_mfa.sql). Reached only through the
// service-role path "auth.mfa" (lib/auth/mfa.ts); never granted to
// `authenticated`. totp_secret is sealed (lib/auth/mfa-crypto.ts), and
// tenants.require_mfa is read with SQL there (ltree), so it is not mirrored.
// (Its imports sit here, aliased, so the block stays self-contained.)
// ---------------------------------------------------------------------------
import { bigint as mfaBigint } from "drizzle-orm/pg-core";

export const userMfa = pgTable("user_mfa", {
  userId: uuid("user_id").primaryKey().references(() => users.id),
  totpSecret: text("totp_secret").notNull(),
  confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
  lastUsedStep: mfaBigint("last_used_step", { mode: "number" }),
  /** Wrong codes at sign-in in a row; only a right code at sign-in clears it (lib/auth/mfa.ts). */
  failedCount: integer("failed_count").notNull().default(0),
  lockedUntil: timestamp("locked_until", { withTimezone: true }),
  /** The account page's wrong codes in a row, counted apart from sign-in. */
  accountFailedCount: integer("account_failed_count").notNull().default(0),
  accountLockedUntil: timestamp("account_locked_until", { withTimezone: true }),
  /** A replacement key (sealed like totpSecret) waiting for its first code; the confirmed one works until then. */
  pendingSecret: text("pending_secret"),
  /** The session that started the pending setup or replacement (after the password): only it sees and confirms the key. */
  pendingSessionId: uuid("pending_session_id"),
  pendingStartedAt: timestamp("pending_started_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
export type UserMfa = typeof userMfa.$inferSelect;

export const userRecoveryCodes = pgTable(
  "user_recovery_codes",
  {
    userId: uuid("user_id").notNull().references(() => users.id),
    codeHash: text("code_hash").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);
export type UserRecoveryCode = typeof userRecoveryCodes.$inferSelect;
