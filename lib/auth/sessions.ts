// Server-side session records (issue 9, finding 5; migration
// 20261201000200_sessions). The JWT cookie carries a random session id; the
// row with that id decides whether the session still exists:
//
//   openSession          at sign-in (next-auth's jwt callback, lib/auth/jwt-callback.ts)
//   checkSession         on every request that reads the session (the same
//                        callback), one SQL statement that also answers
//                        whether the user must set up MFA first, and refuses
//                        the session on any host but the one it was opened on
//   revokeSession        sign-out (next-auth's signOut event)
//   revokeUserSessions   password change, MFA enrolment, replacement or removal; a removed
//                        membership revokes in the database (trigger)
//
// A session lives SESSION_MAX_AGE_HOURS from sign-in (or the user's tenants'
// session.lifetime_hours setting, if shorter), whatever happens (reading it
// never extends it), and ends after SESSION_IDLE_MINUTES unused.
import { z } from "zod";
import { settings } from "@/lib/config";
import { withServiceRole } from "@/lib/db/service-role";
import { getPool } from "@/lib/db/pool";
import { settingDefinition } from "@/lib/settings/registry";
import type { Db } from "@/lib/db/with-tenant";
import { normalizeHost } from "@/lib/tenancy/host";
import { recordAuthEvent } from "./events";

/** Why a session ended (sessions.user_sessions.revoked_reason). */
export const REVOKE_REASONS = [
  "sign_out",
  "password_changed",
  "password_reset",
  "mfa_enrolled",
  "mfa_disabled",
  "mfa_replaced",
  "membership_removed",
  "idle",
  "admin",
  // Migration 20261201032650: sessions opened before they were bound to a host.
  "host_binding",
  // Migration 20261201033100 (sessions.check_session): a session on a tenant's custom domain whose
  // person is no longer one of that tenant's own people (lib/auth/host-rule.ts).
  "host_rule",
] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

/** wrong_host: the session is live, but was opened on another host than the one it is presented on. */
export type SessionState = "active" | "revoked" | "expired" | "idle" | "unknown" | "wrong_host";

export interface SessionCheck {
  state: SessionState;
  /** Only meaningful when active: MFA is required for the user and not set up. */
  mfaEnrollmentRequired: boolean;
  expiresAt: Date | null;
}

/** The session settings, read on each call (lib/config validates them). */
export function sessionLifetime(env: Record<string, string | undefined> = process.env): { maxAgeSeconds: number; idleSeconds: number } {
  const s = settings(env);
  return { maxAgeSeconds: s.SESSION_MAX_AGE_HOURS * 3600, idleSeconds: s.SESSION_IDLE_MINUTES * 60 };
}

const uuid = z.string().uuid();

export interface SessionClient {
  /** A short description of the browser ("Chrome on Linux"), never the whole header. */
  userAgent?: string | null;
  /** The client source as TRUST_PROXY says (lib/ratelimit clientSource). */
  ip?: string | null;
  /**
   * The host name the session is opened on (lowercase, no port: sessionHost), to which it is bound:
   * checkSession refuses it on any other. Null only outside a request (tests, scripts): unbound.
   */
  host?: string | null;
}

/**
 * The host name a session is bound to, from a Host header: lowercase, no port (cookies do not depend
 * on the port, so a port would only sign people out behind an ingress that adds or drops ":443").
 */
export function sessionHost(rawHost: string | null | undefined): string | null {
  return normalizeHost(rawHost);
}

const lifetimeSchema = settingDefinition("session.lifetime_hours")!.schema;

/**
 * The shortest session.lifetime_hours (lib/settings) set for any tenant the
 * user holds a role on, inherited from above as settings are; null when none
 * of them sets it (then SESSION_MAX_AGE_HOURS alone applies). A stored value
 * the registry refuses (not a whole number from 1 to 720: written before the
 * database checked it, or restored from such an archive) counts as not set.
 */
async function tenantLifetimeHours(db: Db, userId: string): Promise<number | null> {
  const { rows } = await db.$client.query<{ value: unknown }>(
    `select settings.value_of(m.tenant_id, 'session.lifetime_hours') as value
       from public.memberships m where m.user_id = $1`,
    [userId],
  );
  const hours = rows.flatMap((r) => {
    const parsed = lifetimeSchema.safeParse(r.value);
    return parsed.success ? [parsed.data as number] : [];
  });
  return hours.length > 0 ? Math.min(...hours) : null;
}

/**
 * Records a new session at sign-in; returns its absolute expiry: the server's
 * SESSION_MAX_AGE_HOURS, or the user's tenants' session lifetime if shorter
 * (read at sign-in: a change applies from the next sign-in).
 */
export async function openSession(
  sessionId: string,
  userId: string,
  client: SessionClient = {},
  now = new Date(),
  // A handoff (lib/auth/handoff.ts): the family it joins, and the source session's end, which it never outlives.
  handoff: { familyId: string; notAfter: Date } | null = null,
): Promise<Date> {
  const { maxAgeSeconds } = sessionLifetime();
  let expiresAt = new Date(now.getTime() + maxAgeSeconds * 1000);
  if (handoff && handoff.notAfter < expiresAt) expiresAt = new Date(handoff.notAfter);
  await withServiceRole("auth.session", async (db) => {
    const hours = await tenantLifetimeHours(db, uuid.parse(userId));
    // The tenant's shorter lifetime, and still never past a handoff's source session.
    if (hours !== null && now.getTime() + hours * 3600 * 1000 < expiresAt.getTime()) expiresAt = new Date(now.getTime() + hours * 3600 * 1000);
    await db.$client.query(
      `insert into sessions.user_sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent, ip, family_id, host)
       values ($1, $2, $3, $3, $4, $5, $6, $7, $8)`,
      [uuid.parse(sessionId), uuid.parse(userId), now, expiresAt, client.userAgent?.slice(0, 200) ?? null, client.ip?.slice(0, 64) ?? null, uuid.parse(handoff?.familyId ?? sessionId), sessionHost(client.host)],
    );
    // Now and then, forget sessions that ended more than 30 days ago.
    if (Math.random() < 0.02) {
      await db.$client.query(`delete from sessions.user_sessions where expires_at < now() - interval '30 days'`);
    }
  });
  return expiresAt;
}

/**
 * Is this session still on, here? One statement on the pool's own role (portal_app
 * may execute sessions.check_session and nothing else there), no transaction: the
 * cheapest way to ask on every request. `host`: the request's Host header (sessionHost
 * reduces it); a session opened on another host is "wrong_host", and so is any bound
 * session when there is no host (null: outside a request).
 */
export async function checkSession(sessionId: string | undefined, userId: string | undefined, host: string | null = null): Promise<SessionCheck> {
  const sid = uuid.safeParse(sessionId);
  const uid = uuid.safeParse(userId);
  if (!sid.success || !uid.success) return { state: "unknown", mfaEnrollmentRequired: false, expiresAt: null };
  const { rows } = await getPool().query<{ state: SessionState; mfa_enrollment_required: boolean; expires_at: Date | null }>(
    "select state, mfa_enrollment_required, expires_at from sessions.check_session($1, $2, $3, $4)",
    [sid.data, uid.data, sessionLifetime().idleSeconds, sessionHost(host)],
  );
  const row = rows[0];
  return { state: row.state, mfaEnrollmentRequired: row.mfa_enrollment_required, expiresAt: row.expires_at };
}

/**
 * Ends one session (sign-out), with every session of its family: the ones
 * handoffs opened from it on other portal hosts, and the one it was handed
 * off from (lib/auth/handoff.ts), so signing out on one host signs out on
 * all of them. Returns whether it was still live.
 */
export async function revokeSession(sessionId: string, userId: string, reason: RevokeReason): Promise<boolean> {
  const sid = uuid.safeParse(sessionId);
  if (!sid.success) return false;
  const ended = await withServiceRole("auth.session", async (db) => {
    const { rowCount } = await db.$client.query(
      `update sessions.user_sessions set revoked_at = now(), revoked_reason = $3
        where id = $1 and user_id = $2 and revoked_at is null`,
      [sid.data, uuid.parse(userId), reason],
    );
    await db.$client.query(
      `update sessions.user_sessions s set revoked_at = now(), revoked_reason = $3
        where s.user_id = $2 and s.revoked_at is null
          and coalesce(s.family_id, s.id) = (select coalesce(o.family_id, o.id) from sessions.user_sessions o where o.id = $1 and o.user_id = $2)`,
      [sid.data, uuid.parse(userId), reason],
    );
    return (rowCount ?? 0) > 0;
  });
  return ended;
}

/**
 * Ends every live session of `userId` except `exceptSessionId` (the caller's
 * own, so changing one's password or MFA does not sign out the browser that
 * did it). Records a session-revoked auth event when any ended. Pass `db` to
 * revoke inside a service-role transaction you hold (the change and the
 * revocation then commit together); the event is recorded by the caller then
 * (recordSessionsRevoked), after the commit.
 */
export async function revokeUserSessions(
  userId: string,
  reason: RevokeReason,
  exceptSessionId?: string | null,
  opts: { db?: Db } = {},
): Promise<number> {
  const uid = uuid.parse(userId);
  const except = exceptSessionId ? uuid.parse(exceptSessionId) : null;
  const run = async (db: Db) => {
    const { rows } = await db.$client.query<{ n: number }>("select sessions.revoke_user($1, $2, $3) as n", [uid, reason, except]);
    return rows[0].n;
  };
  if (opts.db) return run(opts.db);
  const count = await withServiceRole("auth.session", run);
  await recordSessionsRevoked(uid, reason, count);
  return count;
}

/** The auth event for a revocation that ended `count` sessions (none: nothing to record). */
export async function recordSessionsRevoked(userId: string, reason: RevokeReason, count: number): Promise<void> {
  if (count > 0) await recordAuthEvent({ type: "session-revoked", userId, reason, count });
}

/** "Chrome on Linux" from a User-Agent header: enough to recognise a session, too little to fingerprint. */
export function describeUserAgent(ua: string | null | undefined): string | null {
  if (!ua) return null;
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrome\/|Chromium\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : /curl\//i.test(ua)
            ? "curl"
            : "Browser";
  const os = /Windows/.test(ua)
    ? "Windows"
    : /Android/.test(ua)
      ? "Android"
      : /iPhone|iPad/.test(ua)
        ? "iOS"
        : /Mac OS X/.test(ua)
          ? "macOS"
          : /Linux/.test(ua)
            ? "Linux"
            : null;
  return os ? `${browser} on ${os}` : browser;
}
