// The data and the text of `npm run access-review`: who holds which role on
// which tenant, as a tree (a role applies to the tenant and everything below
// it), the MSSP-level roles (they reach every customer of their MSSP), each
// holder's MFA state, last sign-in and open sessions, and the invitations
// still waiting. Read as the database owner (operator tooling, like
// audit:verify): a review must see every tenant, not a caller's RLS scope.
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

export interface AccessReview {
  at: Date;
  tenants: ReviewTenant[];
  holders: ReviewHolder[];
  invitations: ReviewInvitation[];
}

/** Everything, or the subtree of `rootSlug`. */
export async function loadAccessReview(client: ClientBase, opts: { rootSlug?: string } = {}): Promise<AccessReview> {
  const scope = opts.rootSlug ? `and t.path operator(extensions.<@) (select path from public.tenants where slug = $1)` : `and $1::text is null`;
  const arg = [opts.rootSlug ?? null];
  const tenants = (await client.query<ReviewTenant>(
    `select t.id, t.slug, t.name, t.kind, t.status, t.path::text as path, extensions.nlevel(t.path) - 1 as depth, coalesce(settings.value_of(t.id, 'session.mfa_required') = 'true'::jsonb, false) as require_mfa
       from public.tenants t where true ${scope} order by t.path`, arg)).rows;
  if (opts.rootSlug && tenants.length === 0) throw new Error(`No tenant "${opts.rootSlug}".`);
  const sessions = (await client.query(`select to_regclass('sessions.user_sessions') is not null as present`)).rows[0].present;
  const holders = (await client.query<ReviewHolder>(
    `select m.tenant_id, m.role, u.email, u.name, m.created_at as granted_at, u.last_login_at,
            case when f.confirmed_at is not null then 'on' when f.user_id is not null then 'pending' else 'off' end as mfa,
            ${sessions ? `(select count(*)::int from sessions.user_sessions s where s.user_id = u.id and s.revoked_at is null and s.expires_at > now())` : "null::int"} as open_sessions
       from public.memberships m join public.users u on u.id = m.user_id join public.tenants t on t.id = m.tenant_id
       left join public.user_mfa f on f.user_id = u.id
      where true ${scope}
      order by m.role, u.email`, arg)).rows;
  const invitations = (await client.query<ReviewInvitation>(
    `select i.tenant_id, i.email, i.role, inviter.email as invited_by, i.expires_at
       from public.invitations i join public.tenants t on t.id = i.tenant_id left join public.users inviter on inviter.id = i.invited_by
      where i.accepted_at is null and i.revoked_at is null and i.expires_at > now() ${scope}
      order by i.email`, arg)).rows;
  return { at: new Date(), tenants, holders, invitations };
}

const day = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) + "Z" : "never");
const RANK: Record<string, number> = { mssp_admin: 0, mssp_analyst: 1, tenant_admin: 2, tenant_analyst: 3, tenant_viewer: 4 };

function holderLine(h: ReviewHolder, indent: string, requireMfa: boolean): string {
  const mfa = h.mfa === "on" ? "MFA on" : h.mfa === "pending" ? "MFA set-up not finished" : "MFA off";
  const flag = h.mfa !== "on" && (h.role.startsWith("mssp_") || requireMfa) ? "  ! MFA required" : "";
  const sessions = h.open_sessions === null ? "" : `, ${h.open_sessions} open session${h.open_sessions === 1 ? "" : "s"}`;
  return `${indent}${h.role.padEnd(15)} ${h.email} (${h.name || "no name"}): ${mfa}, last sign-in ${day(h.last_login_at)}${sessions}, since ${day(h.granted_at)}${flag}`;
}

export function formatAccessReview(r: AccessReview): string {
  const out: string[] = [`Access review, ${r.at.toISOString()}`, "", "Tenant tree (a role holds on its tenant and everything below it):"];
  // require_mfa is the effective session.mfa_required (inherited from above,
  // lib/settings); it binds the tenant's members and its ancestors' (who can
  // read its data): a tenant's members need MFA when it or a tenant below it has it on.
  const atOrBelow = (o: string, t: string) => o === t || o.startsWith(`${t}.`);
  const requireMfa = new Map(r.tenants.map((t) => [t.id, r.tenants.some((o) => o.require_mfa && atOrBelow(o.path, t.path))]));
  const base = Math.min(...r.tenants.map((t) => t.depth));
  for (const t of r.tenants) {
    const indent = "  ".repeat(t.depth - base + 1);
    const marks = [t.kind, t.status !== "active" ? t.status.toUpperCase() : null, t.require_mfa ? "requires MFA" : null].filter(Boolean).join(", ");
    out.push(`${indent}${t.slug}  ${t.name}  [${marks}]`);
    const holders = r.holders.filter((h) => h.tenant_id === t.id).sort((a, b) => (RANK[a.role] ?? 9) - (RANK[b.role] ?? 9) || a.email.localeCompare(b.email));
    for (const h of holders) out.push(holderLine(h, `${indent}    `, requireMfa.get(t.id) === true));
    for (const i of r.invitations.filter((x) => x.tenant_id === t.id)) {
      out.push(`${indent}    invited        ${i.email} as ${i.role} by ${i.invited_by ?? "provisioning"}, until ${day(i.expires_at)}`);
    }
  }
  const mssp = r.holders.filter((h) => h.role.startsWith("mssp_"));
  out.push("", "MSSP-level roles (each reaches every customer and site of its MSSP):");
  for (const h of mssp) out.push(holderLine(h, `  ${r.tenants.find((t) => t.id === h.tenant_id)?.slug ?? "?"}: `, true));
  if (mssp.length === 0) out.push("  none");
  const needing = r.holders.filter((h) => h.mfa !== "on" && (h.role.startsWith("mssp_") || requireMfa.get(h.tenant_id)));
  const users = new Set(r.holders.map((h) => h.email));
  out.push(
    "",
    `${r.tenants.length} tenants, ${users.size} people, ${r.holders.length} role grants, ${r.invitations.length} open invitations; ` +
      `${needing.length} grant${needing.length === 1 ? "" : "s"} held without the MFA the role or tenant requires.`,
  );
  return out.join("\n");
}
