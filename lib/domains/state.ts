// What a verification result does to a domain (pure; verify.ts applies it).
//
//   pending   never verified: not routed; a matching TXT record → verified
//   verified  routed; the record gone or wrong → grace (missing_since = now)
//   grace     still routed until missing_since + grace hours, then → unrouted;
//             the record back → verified
//   unrouted  not routed; the record back → verified
// A DNS error (timeout, SERVFAIL) changes nothing, except that a grace period
// still runs out: an unreachable resolver neither routes nor keeps routing.
import type { DnsOutcome } from "./dns";

export const DOMAIN_STATUSES = ["pending", "verified", "grace", "unrouted"] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

export const STATUS_LABELS: Record<DomainStatus, string> = {
  pending: "Waiting for DNS",
  verified: "Verified, serving",
  grace: "Record missing: serving during the grace period",
  unrouted: "Not serving: record missing",
};

export function isRouted(status: DomainStatus): boolean {
  return status === "verified" || status === "grace";
}

export interface DomainState {
  status: DomainStatus;
  verifiedAt: Date | null;
  missingSince: Date | null;
}

export function nextState(current: DomainState, outcome: DnsOutcome, now: Date, graceHours: number): DomainState {
  if (outcome === "ok") return { status: "verified", verifiedAt: current.status === "verified" || current.status === "grace" ? current.verifiedAt ?? now : now, missingSince: null };
  const graceOver = (since: Date) => now.getTime() - since.getTime() >= graceHours * 3_600_000;
  switch (current.status) {
    case "verified":
      if (outcome === "dns_error") return current;
      return graceHours === 0 ? { ...current, status: "unrouted", missingSince: null } : { ...current, status: "grace", missingSince: now };
    case "grace":
      return graceOver(current.missingSince ?? now) ? { ...current, status: "unrouted", missingSince: null } : current;
    default:
      return current;
  }
}

/** What the last DNS check found (custom_domains.last_check), as a person reads it. */
export const LAST_CHECK_LABELS: Record<string, string> = {
  ok: "TXT and CNAME records found",
  cname_missing: "the TXT record is right, but the CNAME does not point at the portal yet",
  wrong_token: "a TXT record holds another value",
  missing: "no TXT record found",
  dns_error: "the DNS server did not answer",
  taken: "another portal serves this domain: it proved it first",
  look_alike: "the TXT record is right, but the name looks like a domain another portal serves: it routes once your provider approves it",
};
