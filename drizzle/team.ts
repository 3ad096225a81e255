// Typed mirror of supabase/migrations/20261123000700_team.sql.
import { sql } from "drizzle-orm";
import { boolean, customType, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { ROLES } from "./schema";

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

export const invitations = pgTable(
  "invitations",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    email: text("email").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    tokenHash: bytea("token_hash").notNull(),
    invitedBy: uuid("invited_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    acceptedBy: uuid("accepted_by"),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    /** Issued by the system (an operator's provisioning command): no inviter to check at acceptance. */
    issuedBySystem: boolean("issued_by_system").notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);
export type Invitation = typeof invitations.$inferSelect;
