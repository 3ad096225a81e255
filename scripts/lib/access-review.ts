// The data and the text of `npm run access-review`: who holds which role on
// which tenant, as a tree (a role applies to the tenant and everything below
// it), the MSSP-level roles (they reach every customer of their MSSP), each
// holder's MFA state, last sign-in and open sessions, the invitations still
// waiting, and the live API keys (principals of their own, acting with their
// scopes on their tenant and below). For one subtree (--tenant), everyone who
// can reach it: the grants and keys held on its ancestors too, marked as
// inherited from there (an MSSP's admins reach every site of it). Read as the
// database owner (operator tooling, like audit:verify): a review must see
// every tenant, not a caller's RLS scope.
import type { ClientBase } from "pg";

export interface ReviewTenant {
  id: string;
  slug: string;
  name: string;
  kind: string;
  status: string;
  path: string;
  depth: number;
  require_mfa: boolean;
}

export interface ReviewHolder {
  tenant_id: string;
  tenant_slug: string;
  /** For a subtree's review: the ancestor's slug when the role is held above the subtree (it reaches it); else null. */
  inherited_from: string | null;
  role: string;
  email: string;
  name: string;
  mfa: "on" | "pending" | "off";
  last_login_at: Date | null;
  open_sessions: number | null;
  granted_at: Date;
}

export interface ReviewInvitation {
  tenant_id: string;
  email: string;
  role: string;
  invited_by: string | null;
  expires_at: Date;
}

/** A live API key: not revoked, not expired. */
export interface ReviewApiKey {
  tenant_id: string;
  tenant_slug: string;
  /** As for holders: the ancestor's slug when the key is held above the reviewed subtree; else null. */
  inherited_from: string | null;
  name: string;
  scopes: string[];
  /** The creator's email; null once their account is gone. */
  created_by: string | null;
  created_at: Date;
  expires_at: Date;
  last_used_at: Date | null;
}

export interface AccessReview {
  at: Date;
  tenants: ReviewTenant[];
  holders: ReviewHolder[];
  invitations: ReviewInvitation[];
  apiKeys: ReviewApiKey[];
}

/**
 * Everything, or the subtree of `rootSlug` with the grants and keys that reach it from above
 * (a role or key on an ancestor holds on the subtree too).
 */
export async function loadAccessReview(client: ClientBase, opts: { rootSlug?: string } = {}): Promise<AccessReview> {
  const root = `(select path from public.tenants where slug = $1)`;
  const scope = opts.rootSlug ? `and t.path operator(extensions.<@) ${root}` : `and $1::text is null`;
  // Who and what can reach the subtree: what is held in it, and on its ancestors.
  const reach = opts.rootSlug ? `and (t.path operator(extensions.<@) ${root} or t.path operator(extensions.@>) ${root})` : scope;
  const inherited = opts.rootSlug ? `case when t.path operator(extensions.<@) ${root} then null else t.slug end` : `null::text`;
  const arg = [opts.rootSlug ?? null];
  const tenants = (await client.query<ReviewTenant>(
    `select t.id, t.slug, t.name, t.kind, t.status, t.path::text as path, extensions.nlevel(t.path) - 1 as depth, coalesce(settings.value_of(t.id, 'session.mfa_required') = 'true'::jsonb, false) as require_mfa
       from public.tenants t where true ${scope} order by t.path`, arg)).rows;
  if (opts.rootSlug && tenants.length === 0) throw new Error(`No tenant "${opts.rootSlug}".`);
  const sessions = (await client.query(`select to_regclass('sessions.user_sessions') is not null as present`)).rows[0].present;
  const holders = (await client.query<ReviewHolder>(
    `select m.tenant_id, t.slug as tenant_slug, ${inherited} as inherited_from, m.role, u.email, u.name, m.created_at as granted_at, u.last_login_at,
            case when f.confirmed_at is not null then 'on' when f.user_id is not null then 'pending' else 'off' end as mfa,
            ${sessions ? `(select count(*)::int from sessions.user_sessions s where s.user_id = u.id and s.revoked_at is null and s.expires_at > now())` : "null::int"} as open_sessions
       from public.memberships m join public.users u on u.id = m.user_id join public.tenants t on t.id = m.tenant_id
       left join public.user_mfa f on f.user_id = u.id
      where true ${reach}
      order by m.role, u.email`, arg)).rows;
  const invitations = (await client.query<ReviewInvitation>(
    `select i.tenant_id, i.email, i.role, inviter.email as invited_by, i.expires_at
       from public.invitations i join public.tenants t on t.id = i.tenant_id left join public.users inviter on inviter.id = i.invited_by
      where i.accepted_at is null and i.revoked_at is null and i.expires_at > now() ${scope}
      order by i.email`, arg)).rows;
  const apiKeys = (await client.query<ReviewApiKey>(
    `select k.tenant_id, t.slug as tenant_slug, ${inherited} as inherited_from, k.name, k.scopes, creator.email as created_by,
            k.created_at, k.expires_at, k.last_used_at
       from public.api_keys k join public.tenants t on t.id = k.tenant_id left join public.users creator on creator.id = k.created_by
      where k.revoked_at is null and k.expires_at > now() ${reach}
      order by t.path, k.name, k.created_at`, arg)).rows;
  return { at: new Date(), tenants, holders, invitations, apiKeys };
}

const day = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) + "Z" : "never");
const RANK: Record<string, number> = { mssp_admin: 0, mssp_analyst: 1, tenant_admin: 2, tenant_analyst: 3, tenant_viewer: 4 };

const from = (inheritedFrom: string | null) => (inheritedFrom ? `  (inherited from ${inheritedFrom})` : "");

function holderLine(h: ReviewHolder, indent: string, requireMfa: boolean): string {
  const mfa = h.mfa === "on" ? "MFA on" : h.mfa === "pending" ? "MFA set-up not finished" : "MFA off";
  const flag = h.mfa !== "on" && (h.role.startsWith("mssp_") || requireMfa) ? "  ! MFA required" : "";
  const sessions = h.open_sessions === null ? "" : `, ${h.open_sessions} open session${h.open_sessions === 1 ? "" : "s"}`;
  return `${indent}${h.role.padEnd(15)} ${h.email} (${h.name || "no name"}): ${mfa}, last sign-in ${day(h.last_login_at)}${sessions}, since ${day(h.granted_at)}${from(h.inherited_from)}${flag}`;
}

function keyLine(k: ReviewApiKey): string {
  return `  ${k.tenant_slug}: "${k.name}" [${k.scopes.join(", ")}], created by ${k.created_by ?? "a deleted user"} ${day(k.created_at)}, expires ${day(k.expires_at)}, last used ${day(k.last_used_at)}${from(k.inherited_from)}`;
}

export function formatAccessReview(r: AccessReview): string {
  const inherited = r.holders.filter((h) => h.inherited_from);
  const out: string[] = [`Access review, ${r.at.toISOString()}`, "", "Tenant tree (a role holds on its tenant and everything below it):"];
  if (inherited.length > 0) out.push("  (roles held above this subtree reach it too: listed under its top tenant, marked inherited)");
  // require_mfa is the effective session.mfa_required (inherited from above,
  // lib/settings); it binds the tenant's members and its ancestors' (who can
  // read its data): a tenant's members need MFA when it or a tenant below it has it on.
  const atOrBelow = (o: string, t: string) => o === t || o.startsWith(`${t}.`);
  const requireMfa = new Map(r.tenants.map((t) => [t.id, r.tenants.some((o) => o.require_mfa && atOrBelow(o.path, t.path))]));
  // A role held above the subtree is judged on the subtree's top tenant (it reaches all of it).
  const top = r.tenants[0]?.id;
  const mfaRequired = (h: ReviewHolder) => requireMfa.get(h.inherited_from ? top! : h.tenant_id) === true;
  const base = Math.min(...r.tenants.map((t) => t.depth));
  for (const t of r.tenants) {
    const indent = "  ".repeat(t.depth - base + 1);
    const marks = [t.kind, t.status !== "active" ? t.status.toUpperCase() : null, t.require_mfa ? "requires MFA" : null].filter(Boolean).join(", ");
    out.push(`${indent}${t.slug}  ${t.name}  [${marks}]`);
    const holders = r.holders
      .filter((h) => (h.inherited_from ? t.id === top : h.tenant_id === t.id))
      .sort((a, b) => (RANK[a.role] ?? 9) - (RANK[b.role] ?? 9) || a.email.localeCompare(b.email));
    for (const h of holders) out.push(holderLine(h, `${indent}    `, mfaRequired(h)));
    for (const i of r.invitations.filter((x) => x.tenant_id === t.id)) {
      out.push(`${indent}    invited        ${i.email} as ${i.role} by ${i.invited_by ?? "provisioning"}, until ${day(i.expires_at)}`);
    }
  }
  const mssp = r.holders.filter((h) => h.role.startsWith("mssp_"));
  out.push("", "MSSP-level roles (each reaches every customer and site of its MSSP):");
  for (const h of mssp) out.push(holderLine(h, `  ${h.tenant_slug}: `, true));
  if (mssp.length === 0) out.push("  none");
  out.push("", "Live API keys (each acts with its scopes on its tenant and everything below it):");
  for (const k of r.apiKeys) out.push(keyLine(k));
  if (r.apiKeys.length === 0) out.push("  none");
  const needing = r.holders.filter((h) => h.mfa !== "on" && (h.role.startsWith("mssp_") || mfaRequired(h)));
  const users = new Set(r.holders.map((h) => h.email));
  out.push(
    "",
    `${r.tenants.length} tenants, ${users.size} people, ${r.holders.length} role grants${inherited.length ? ` (${inherited.length} inherited from above)` : ""}, ` +
      `${r.invitations.length} open invitations, ${r.apiKeys.length} live API key${r.apiKeys.length === 1 ? "" : "s"}; ` +
      `${needing.length} grant${needing.length === 1 ? "" : "s"} held without the MFA the role or tenant requires.`,
  );
  return out.join("\n");
}
