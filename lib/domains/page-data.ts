// The custom domains page of one tenant: its domains (under RLS) with the DNS
// records to create, or nothing for someone who may not manage them.
import { permissions, tenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { domainToUnicode } from "node:url";
import { settings } from "@/lib/config";
import { DEFAULT_TIME_ZONE } from "@/lib/locale/time";
import { viewerTimeZone } from "@/lib/locale/viewer-zone";
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
  /** The zone the last check and the grace deadline are shown in: the page's tenant's locale.time_zone (the MSSP's on the console). */
  timeZone: string;
}

/**
 * `hostTenantId`: the tenant whose host the page is on; omitted or null on the
 * console, where times are in the caller's MSSP's zone, not the customer's
 * (the operator reads every customer's page in one clock).
 */
export async function loadDomainsPage(tx: TenantTx, slug: string, hostTenantId?: string | null): Promise<DomainsPageData | null> {
  const { rows } = await tx.client.query<{ id: string; slug: string; name: string }>("select id, slug, name from public.tenants where slug = $1", [slug]);
  const t = rows[0];
  if (!t || !(await tenantResource(tx.db, t.id))) return null;
  const graceHours = settings().CUSTOM_DOMAIN_GRACE_HOURS;
  const can = await permissions(tx, ["domains:manage"], t.id);
  if (!can["domains:manage"]) return { tenant: t, canManage: false, cnameTarget: cnameTarget(), graceHours, domains: [], timeZone: DEFAULT_TIME_ZONE };
  const domains = await listDomains(tx.db, t.id);
  const timeZone = await viewerTimeZone(tx, hostTenantId);
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
    timeZone,
  };
}
