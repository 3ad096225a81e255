// Password reset by emailed code (issue 9, finding 3), on the same path as an
// invitation's mailbox proof: a 6-digit code through the outbox, HMAC'd at
// rest, short-lived, single-use, limited in tries (lib/mail/codes.ts and the
// shared rate limiter). Everything runs before anyone is signed in, on the
// named service-role path "account.password-reset".
//
// No enumeration: requestPasswordReset answers the same for every address,
// known or not, limited or not, and does the same work before answering (one
// short transaction: the rate-limit takes and the address's lookup); the code,
// the mail's brand and the outbox row of a known address are made after the
// answer (sendResetCode, settled by settleResetRequests), so how long the
// answer takes says nothing about the address;
// resetPassword gives one message for an unknown address, a wrong code and
// an expired one. A reset does not bypass two-step verification: signing in
// still asks for the TOTP code of a user who has it.
import { createHash } from "node:crypto";
import { deferAuthEvent, recordAuthEvent } from "@/lib/auth/events";
import { log, safeError } from "@/lib/log";
import { hashPassword } from "@/lib/auth/password";
import { brandOfConsoleFor } from "@/lib/branding/resolve";
import { primaryDomainSql } from "@/lib/domains/resolve";
import { recordSessionsRevoked, revokeUserSessions } from "@/lib/auth/sessions";
import { withServiceRole } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { checkCode, CODE_TTL_MINUTES, enqueueMail, issueCode, passwordResetMail, pruneCodes, type MailBrand } from "@/lib/mail";
import { perWindow, take, UNKNOWN_SOURCE } from "@/lib/ratelimit";

/** Reset emails per address: 3 at once, then one every 5 minutes. */
export const RESET_SENDS_PER_EMAIL = perWindow(1, 300, 3);
/** Reset requests per client source: 20 at once, then one every 30 s. */
export const RESET_REQUESTS_PER_SOURCE = perWindow(2, 60, 20);
/** Code tries per address: 5 at once, then one every 3 minutes. */
export const RESET_TRIES_PER_EMAIL = perWindow(1, 180, 5);
/**
 * Code tries per client source, whatever the addresses: 20 at once, then one a minute. Per address
 * alone, one client could keep guessing across many addresses (each with a code it asked for).
 */
export const RESET_TRIES_PER_SOURCE = perWindow(1, 60, 20);

export const RESET_REQUESTED = `If an account exists for that address, we emailed it a 6-digit code. It works once, for ${CODE_TTL_MINUTES} minutes.`;
export const RESET_REFUSED = "That code is wrong or has expired, or the address has no account. Check the latest email, or ask for a new code.";
export const RESET_TOO_MANY = "Too many tries for this address. Wait a few minutes, then ask for a new code.";

/** Rate-limit keys carry a hash of the address, never the address. */
const emailKey = (email: string) => createHash("sha256").update(email, "utf8").digest("hex").slice(0, 32);

export class PasswordResetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PasswordResetRefused";
  }
}

/** Where a reset mail sends its reader, and in whose brand. */
export interface ResetMailFor {
  resetUrl: string;
  brand?: MailBrand;
}

/**
 * The reset mail's link and brand: the requesting host's when one of the user's memberships covers
 * that host's tenant (a tenant host at or below a membership; the console for an MSSP member), else
 * the user's own portal (`elsewhere`). Any tenant admin may brand a host and verify a domain, so a
 * code asked for someone else's address on it must not reach them in that brand, pointing there.
 * On a tenant's custom domain (`host.customDomain`), which its admins may point anywhere, only for a
 * person all of whose memberships are at or below that tenant (lib/auth/handoff-start.ts, the same rule).
 * Everything is read on `db`, the reset's own transaction: the memberships, the home tenant's custom
 * domain (in the same statement), and the brand (brandOfConsoleFor here, `elsewhere`'s brand on the
 * `db` it is handed), so the mail matches what that transaction sees and no second pooled connection
 * is asked for while it is held (lib/db/held-connection.ts).
 */
async function resetMailFor(db: Db, userId: string, host: { slug: string | null; customDomain?: boolean; mail: ResetMailFor }, elsewhere: Elsewhere): Promise<ResetMailFor> {
  const { rows } = await db.$client.query<{
    covered: boolean;
    home_id: string | null;
    home_slug: string | null;
    home_kind: string | null;
    home_path: string | null;
    home_domain: string | null;
    member_paths: string[];
  }>(
    `select case when $3::boolean then
                   exists (select 1 from public.memberships m where m.user_id = $1)
                   and not exists (select 1 from public.memberships m join public.tenants mt on mt.id = m.tenant_id
                                    where m.user_id = $1
                                      and not exists (select 1 from public.tenants ht where ht.slug = $2 and mt.path operator(extensions.<@) ht.path))
                 else exists (select 1 from public.memberships m join public.tenants mt on mt.id = m.tenant_id
                     where m.user_id = $1
                       and case when $2::text is null then mt.kind = 'mssp'
                                else exists (select 1 from public.tenants ht where ht.slug = $2 and ht.path operator(extensions.<@) mt.path) end) end as covered,
            h.id as home_id, h.slug as home_slug, h.kind as home_kind, h.path::text as home_path,
            case when h.id is null then null else ${primaryDomainSql("h.id")} end as home_domain,
            array(select mt.path::text from public.memberships m join public.tenants mt on mt.id = m.tenant_id where m.user_id = $1) as member_paths
       from (select 1) one
       left join lateral (select t.id, t.slug, t.kind, t.path from public.memberships m join public.tenants t on t.id = m.tenant_id
                           where m.user_id = $1 and t.status not in ('deprovisioning', 'deprovisioned')
                           order by t.path limit 1) h on true`,
    [userId, host.slug, host.customDomain === true],
  );
  const r = rows[0];
  // On the console, the brand of the person's own MSSP (the console's brand before sign-in is the
  // only MSSP's, or a neutral one when there are several).
  if (r.covered) return host.slug === null ? { ...host.mail, brand: await brandOfConsoleFor(userId, db) } : host.mail;
  return elsewhere(
    r.home_id ? { id: r.home_id, slug: r.home_slug!, kind: r.home_kind!, path: r.home_path!, customDomain: r.home_domain } : null,
    r.member_paths.map((path) => ({ path })),
    db,
  );
}

export interface HomeTenant {
  id: string;
  slug: string;
  kind: string;
  path: string;
  /** Its primary custom domain (lib/domains primaryDomainSql) as the reset's transaction reads it; null: none. */
  customDomain: string | null;
}

/**
 * The link and brand of the user's own portal: `tenant`, their first membership's tenant by path (null
 * without one), its custom domain included; `memberships`, every membership of theirs, for the host rule
 * of a link they sign in on (lib/tenancy/origin.ts portalOriginForMember); `within`, the reset's
 * transaction, held while this runs: read anything more (the brand: brandOfTenant(id, within)) on it,
 * never on a connection of its own.
 */
export type Elsewhere = (tenant: HomeTenant | null, memberships: readonly { path: string }[], within: Db) => Promise<ResetMailFor>;

/**
 * Step 1: mail a code if the address has an account. Always resolves the same way, after the same work.
 * `host`: the tenant host the reset is asked on (null: the console) and its sign-in page's link and
 * brand (lib/branding requestBrand); `elsewhere`: the link and brand of the user's own portal, for a
 * host none of their memberships covers (resetMailFor). Neither may read the request: they run after
 * the answer.
 */
export async function requestPasswordReset(
  email: string,
  opts: { source: string; host: { slug: string | null; customDomain?: boolean; mail: ResetMailFor }; elsewhere: Elsewhere },
): Promise<void> {
  const outcome = await withServiceRole("account.password-reset", async (db) => {
    const bySource = await take(`reset-source:${opts.source}`.slice(0, 200), RESET_REQUESTS_PER_SOURCE, { db });
    const byEmail = await take(`reset-send:${emailKey(email)}`, RESET_SENDS_PER_EMAIL, { db });
    const { rows } = await db.$client.query<{ id: string }>(`select id from public.users where email = $1`, [email]);
    const user = rows[0];
    if (!user) return { userId: null, reason: "unknown_email" };
    if (!bySource.allowed || !byEmail.allowed) return { userId: user.id, reason: "limited" };
    return { userId: user.id, reason: "code_sent" };
  });
  if (outcome.reason === "code_sent" && outcome.userId) afterAnswer(sendResetCode(outcome.userId, email, opts));
  // Deferred: recording it (audit rows for a real account) must not make the answer slower than for an unknown address.
  deferAuthEvent({ type: "password-reset-requested", userId: outcome.userId, reason: outcome.reason, source: opts.source.slice(0, 80) });
}

/** The code, in the right brand, into the outbox: a known address's work, done after the answer. */
async function sendResetCode(userId: string, email: string, opts: Parameters<typeof requestPasswordReset>[1]): Promise<void> {
  await withServiceRole("account.password-reset", async (db) => {
    const mail = await resetMailFor(db, userId, opts.host, opts.elsewhere);
    const { code } = await issueCode(db, { purpose: "password-reset", subject: userId, email });
    await enqueueMail(db, { to: email, message: passwordResetMail({ code, minutes: CODE_TTL_MINUTES, resetUrl: mail.resetUrl, brand: mail.brand }) });
    await pruneCodes(db);
  });
}

// Work begun after an answer, awaited only by settleResetRequests (tests, a graceful shutdown). A failure
// is logged: the person was already told to check their mail, and may ask again.
const pendingSends = new Set<Promise<void>>();
function afterAnswer(work: Promise<void>): void {
  const p = work
    .catch((error) => log.error({ event: "password_reset.send_failed", err: safeError(error) }, "password reset code not sent"))
    .finally(() => pendingSends.delete(p));
  pendingSends.add(p);
}

/** Waits until every reset code asked for so far is in the outbox. */
export async function settleResetRequests(): Promise<void> {
  while (pendingSends.size > 0) await Promise.allSettled([...pendingSends]);
}

/**
 * Step 2: the code and a new password; every session of the user is revoked
 * in the same transaction (lib/auth/sessions.ts). Throws PasswordResetRefused with
 * a message for the person otherwise. A wrong try is counted even though it fails.
 */
export async function resetPassword(
  email: string,
  code: string,
  newPassword: string,
  /** The client source (lib/ratelimit clientSource); "unknown" (no TRUST_PROXY) is every caller, so not limited per source. */
  source = UNKNOWN_SOURCE,
): Promise<{ userId: string; sessionsRevoked: number }> {
  if (source !== UNKNOWN_SOURCE) {
    const bySource = await take(`reset-try-source:${source}`.slice(0, 200), RESET_TRIES_PER_SOURCE);
    if (!bySource.allowed) throw new PasswordResetRefused(RESET_TOO_MANY);
  }
  const tries = await take(`reset-try:${emailKey(email)}`, RESET_TRIES_PER_EMAIL);
  if (!tries.allowed) throw new PasswordResetRefused(RESET_TOO_MANY);
  // argon2 before the transaction, with no pooled connection held.
  const passwordHash = await hashPassword(newPassword);
  const changed = await withServiceRole("account.password-reset", async (db) => {
    const { rows } = await db.$client.query<{ id: string }>(`select id from public.users where email = $1 for update`, [email]);
    // An unknown address runs the same check against nothing (same answer, similar cost).
    const check = await checkCode(db, { purpose: "password-reset", subject: rows[0]?.id ?? "00000000-0000-0000-0000-000000000000", email, code });
    if (!rows[0] || check !== "ok") return null;
    await db.$client.query(`update public.users set password_hash = $2 where id = $1`, [rows[0].id, passwordHash]);
    // Any other reset code of this user stops working too.
    await db.$client.query(`update mail.codes set used_at = now() where purpose = 'password-reset' and subject = $1 and used_at is null`, [rows[0].id]);
    // Every session of the user ends with the old password, in the same transaction (whoever knew it is out).
    const revoked = await revokeUserSessions(rows[0].id, "password_reset", null, { db });
    return { userId: rows[0].id, revoked };
  });
  if (!changed) throw new PasswordResetRefused(RESET_REFUSED);
  await recordAuthEvent({ type: "password-changed", userId: changed.userId, reason: "password_reset" });
  await recordSessionsRevoked(changed.userId, "password_reset", changed.revoked);
  return { userId: changed.userId, sessionsRevoked: changed.revoked };
}
