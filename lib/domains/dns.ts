// The DNS look-ups behind verification: node's own resolver (c-ares), asking
// DNS_RESOLVER (host:port) when set, else the system's servers. Nothing here
// decides what a result means for routing: state.ts does.
import { Resolver } from "node:dns/promises";
import { settings } from "@/lib/config";

export const TXT_PREFIX = "_mssp-verify";

/** What one look-up of a domain's records found. */
export type DnsOutcome = "ok" | "wrong_token" | "missing" | "dns_error";

export interface DnsCheck {
  outcome: DnsOutcome;
  /** Whether the domain's CNAME names the target (advisory: an apex domain may use an A/ALIAS record instead). */
  cnameOk: boolean;
}

export function verificationName(domain: string): string {
  return `${TXT_PREFIX}.${domain}`;
}

export function cnameTarget(): string {
  const s = settings();
  return (s.CUSTOM_DOMAIN_CNAME_TARGET?.trim().toLowerCase().replace(/\.$/, "") || (s.PORTAL_DOMAIN === "localhost" ? "localhost" : `portal.${s.PORTAL_DOMAIN}`));
}

export function makeResolver(server = settings().DNS_RESOLVER): Resolver {
  const r = new Resolver({ timeout: 2_000, tries: 2 });
  if (server?.trim()) r.setServers([server.trim()]);
  return r;
}

const ABSENT = new Set(["ENOTFOUND", "ENODATA", "NXDOMAIN", "ENONAME"]);

export async function checkDomainRecords(domain: string, token: string, resolver: Resolver = makeResolver()): Promise<DnsCheck> {
  let outcome: DnsOutcome;
  try {
    const records = (await resolver.resolveTxt(verificationName(domain))).map((chunks) => chunks.join(""));
    outcome = records.some((r) => r.trim() === token) ? "ok" : records.length ? "wrong_token" : "missing";
  } catch (error) {
    outcome = ABSENT.has((error as { code?: string }).code ?? "") ? "missing" : "dns_error";
  }
  let cnameOk = false;
  try {
    const target = cnameTarget();
    cnameOk = (await resolver.resolveCname(domain)).some((c) => c.toLowerCase().replace(/\.$/, "") === target);
  } catch {
    cnameOk = false;
  }
  return { outcome, cnameOk };
}
