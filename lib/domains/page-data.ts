// The custom domains page of one tenant: its domains (under RLS) with the DNS
// records to create, or nothing for someone who may not manage them.
import { permissions, tenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { domainToUnicode } from "node:url";
import { settings } from "@/lib/config";
import { cnameTarget, verificationName } from "./dns";
import { STATUS_LABELS, isRouted, type DomainStatus } from "./state";
import { listDomains } from "./store";

export interface DomainView {
  id: string;
  domain: string;
  /** The Unicode form when it differs (an IDN), for display. */
  unicode: string | null;
  status: DomainStatus;
  statusLabel: string;
  routed: boolean;
  txtName: string;
  txtValue: string;
  lastCheckedAt: string | null;
  lastCheck: string | null;
  /** When a domain in grace stops routing. */
  unroutesAt: string | null;
}

export interface DomainsPageData {
  tenant: { id: string; slug: string; name: string };
  canManage: boolean;
  cnameTarget: string;
  graceHours: number;
  domains: DomainView[];
}

export async function loadDomainsPage(tx: TenantTx, slug: string): Promise<DomainsPageData | null> {
  const { rows } = await tx.client.query<{ id: string; slug: string; name: string }>("select id, slug, name from public.tenants where slug = $1", [slug]);
  const t = rows[0];
  if (!t || !(await tenantResource(tx.db, t.id))) return null;
  const graceHours = settings().CUSTOM_DOMAIN_GRACE_HOURS;
  const can = await permissions(tx, ["domains:manage"], t.id);
  if (!can["domains:manage"]) return { tenant: t, canManage: false, cnameTarget: cnameTarget(), graceHours, domains: [] };
  const domains = await listDomains(tx.db, t.id);
  return {
    tenant: t,
    canManage: true,
    cnameTarget: cnameTarget(),
    graceHours,
    domains: domains.map((d) => {
      const unicode = domainToUnicode(d.domain);
      return {
        id: d.id,
        domain: d.domain,
        unicode: unicode && unicode !== d.domain ? unicode : null,
        status: d.status,
        statusLabel: STATUS_LABELS[d.status],
        routed: isRouted(d.status),
        txtName: verificationName(d.domain),
        txtValue: d.token,
        lastCheckedAt: d.lastCheckedAt?.toISOString() ?? null,
        lastCheck: d.lastCheck,
        unroutesAt: d.missingSince ? new Date(d.missingSince.getTime() + graceHours * 3_600_000).toISOString() : null,
      };
    }),
  };
}
