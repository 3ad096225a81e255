// Typed mirror of supabase/migrations/20261129000200_credentials.sql and
// 20261129000300_jobs.sql. The keyring schema has no mirror on purpose: it is
// reached only through its functions (lib/vault/keys.ts).
import { sql } from "drizzle-orm";
import { customType, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

export const CONNECTOR_KINDS = [
  "crowdstrike_falcon",
  "sentinelone",
  "microsoft_defender",
  "splunk_hec",
  "generic_api_key",
] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];

export const credentials = pgTable(
  "credentials",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull(),
    connector: text("connector", { enum: CONNECTOR_KINDS }).notNull(),
    name: text("name").notNull(),
    config: jsonb("config").$type<Record<string, string>>().notNull().default({}),
    sealed: bytea("sealed").notNull(),
    keyVersion: integer("key_version").notNull(),
    secretHint: text("secret_hint").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid("created_by"),
    rotatedAt: timestamp("rotated_at", { withTimezone: true }),
    rotatedBy: uuid("rotated_by"),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);
export type CredentialRow = typeof credentials.$inferSelect;

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const jobs = pgTable(
  "jobs",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    kind: text("kind").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    status: text("status", { enum: JOB_STATUSES }).notNull().default("queued"),
    progressDone: integer("progress_done").notNull().default(0),
    progressTotal: integer("progress_total"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(5),
    runAfter: timestamp("run_after", { withTimezone: true }).notNull().defaultNow(),
    lockedBy: text("locked_by"),
    lastError: text("last_error"),
    result: jsonb("result").$type<Record<string, unknown>>(),
    createdBy: uuid("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);
export type JobRow = typeof jobs.$inferSelect;
