// Moving between portals without signing in again (issue 14 point 4).
//
// A signed-in user on one host (the console, a tenant host, a custom domain)
// asks for another portal they may use; the source host mints a one-time
// handoff token bound to
//   - the target host (host[:port], exactly),
//   - the user and the source session (a signed-out or expired source
//     session makes the token worthless),
//   - the source session's authentication methods (amr): the target session
//     gets exactly those, never more, so MFA passed on the console carries
//     over and a password-only session cannot become an MFA one,
// valid HANDOFF_TTL_SECONDS (≤ 60 s, enforced by the table too) and stored
// only as its SHA-256 hash. Before it is spent, the target's landing page
// names the account it opens and asks (handoffUserOf reads without spending):
// "Continue as <email>?" when nobody is signed in there, "Switch accounts?"
// over another account's session, no question over the same account's (login
// CSRF; lib/auth/options.ts). The target host consumes it atomically (one
// UPDATE … WHERE consumed_at IS NULL: a replay finds it consumed) through
// next-auth's "handoff" credentials provider, which opens the target's own
// host-only session in the same session family: signing out anywhere ends
// every session of the family (lib/auth/sessions.ts revokeSession).
// Membership is checked at both ends: the PDP when minting
// (app/handoff/go), the membership rows again when consuming.
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { withServiceRole } from "@/lib/db/service-role";

export const HANDOFF_TTL_SECONDS = 60;

import { HANDOFF_MESSAGES, type HandoffRefusal } from "./handoff-messages";

export { HANDOFF_MESSAGES, type HandoffRefusal };

const TOKEN = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const uuid = z.string().uuid();

const hash = (token: string) => createHash("sha256").update(token, "utf8").digest();

export interface HandoffRequest {
  userId: string;
  sessionId: string;
  amr: readonly string[];
  /** host[:port] of the target, lowercase. */
  targetHost: string;
  /** The tenant whose portal it is; null for the console (any MSSP membership). */
  targetTenantId: string | null;
}

/** Mints a token (returned once, stored hashed). The caller has checked the session and the PDP. */
export async function createHandoff(req: HandoffRequest, now = new Date()): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const amr = ["pwd", "otp"].filter((m) => req.amr.includes(m));
  await withServiceRole("auth.session", (db) =>
    db.$client.query(
      `insert into sessions.handoff_tokens (token_hash, user_id, source_session_id, target_host, target_tenant_id, amr, created_at, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7::timestamptz, $7::timestamptz + make_interval(secs => $8::int))`,
      [hash(token), uuid.parse(req.userId), uuid.parse(req.sessionId), req.targetHost.toLowerCase(), req.targetTenantId ? uuid.parse(req.targetTenantId) : null, amr, now, HANDOFF_TTL_SECONDS],
    ),
  );
  // Now and then, forget tokens that ended more than a day ago.
  if (Math.random() < 0.02) await withServiceRole("auth.session", (db) => db.$client.query("delete from sessions.handoff_tokens where expires_at < now() - interval '1 day'"));
  return token;
}

export interface HandoffGrant {
  user: { id: string; email: string; name: string };
  amr: string[];
  /** The session family the new session joins. */
  familyId: string;
  /** The new session ends no later than the source session. */
  notAfter: Date;
}

/**
 * Whose token this is, without spending it (a read, no update): the user of an unspent, unexpired
 * token made for `host` whose source session lives, else null (then consumeHandoff says why it is
 * refused, rather than the person being asked about a dead link). The landing asks before a link opens a session (login CSRF:
 * someone's own link sent to a signed-out person would sign them in to that someone's account, and
 * over a live session a colleague's link would swap the account under the person's feet).
 */
export async function handoffUserOf(token: unknown, host: string | null, now = new Date()): Promise<{ id: string; email: string } | null> {
  const t = TOKEN.safeParse(token);
  if (!t.success || !host) return null;
  return withServiceRole("auth.session", async (db) => {
    const { rows } = await db.$client.query<{ id: string; email: string }>(
      `select u.id, u.email from sessions.handoff_tokens h
         join public.users u on u.id = h.user_id
         join sessions.user_sessions s on s.id = h.source_session_id and s.user_id = h.user_id
        where h.token_hash = $1 and h.consumed_at is null and h.expires_at > $2 and h.target_host = $3
          and s.revoked_at is null and s.expires_at > $2`,
      [hash(t.data), now, host.toLowerCase()],
    );
    return rows[0] ?? null;
  });
}

/** Consumes `token` on `host` (host[:port]); the token is spent whatever the outcome. */
export async function consumeHandoff(token: unknown, host: string | null, now = new Date()): Promise<{ ok: true; grant: HandoffGrant } | { ok: false; reason: HandoffRefusal }> {
  const t = TOKEN.safeParse(token);
  if (!t.success || !host) return { ok: false, reason: "unknown" };
  return withServiceRole("auth.session", async (db) => {
    const c = db.$client;
    const { rows } = await c.query<{ user_id: string; source_session_id: string; target_host: string; target_tenant_id: string | null; amr: string[]; expires_at: Date }>(
      `update sessions.handoff_tokens set consumed_at = $2 where token_hash = $1 and consumed_at is null
       returning user_id, source_session_id, target_host, target_tenant_id, amr, expires_at`,
      [hash(t.data), now],
    );
    const h = rows[0];
    if (!h) {
      const { rowCount } = await c.query("select 1 from sessions.handoff_tokens where token_hash = $1", [hash(t.data)]);
      return { ok: false, reason: rowCount ? "replayed" : "unknown" };
    }
    if (h.expires_at.getTime() <= now.getTime()) return { ok: false, reason: "expired" };
    if (h.target_host !== host.toLowerCase()) return { ok: false, reason: "wrong_host" };
    const { rows: src } = await c.query<{ family: string; expires_at: Date; live: boolean }>(
      `select coalesce(family_id, id) as family, expires_at, (revoked_at is null and expires_at > $2) as live
         from sessions.user_sessions where id = $1 and user_id = $3`,
      [h.source_session_id, now, h.user_id],
    );
    if (!src[0]?.live) return { ok: false, reason: "session_ended" };
    const { rows: member } = await c.query<{ ok: boolean }>(
      h.target_tenant_id
        ? `select exists (select 1 from public.memberships m join public.tenants mt on mt.id = m.tenant_id join public.tenants t on t.id = $2
                           where m.user_id = $1 and t.path operator(extensions.<@) mt.path) as ok`
        : `select exists (select 1 from public.memberships m join public.tenants mt on mt.id = m.tenant_id
                           where m.user_id = $1 and mt.kind = 'mssp' and $2::uuid is null) as ok`,
      [h.user_id, h.target_tenant_id],
    );
    if (!member[0]?.ok) return { ok: false, reason: "no_membership" };
    const { rows: u } = await c.query<{ id: string; email: string; name: string | null }>("select id, email, name from public.users where id = $1", [h.user_id]);
    if (!u[0]) return { ok: false, reason: "session_ended" };
    return {
      ok: true,
      grant: { user: { id: u[0].id, email: u[0].email, name: u[0].name || u[0].email }, amr: h.amr, familyId: src[0].family, notAfter: src[0].expires_at },
    };
  });
}
