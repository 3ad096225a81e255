// Which URLs a tenant admin may point a connector at. The portal makes a
// request to that URL from inside the operator's network, so a URL field is
// an SSRF surface: it must not reach the portal itself, the cloud metadata
// service or anything else on a private network.
//
// What this checks, on the URL as WHATWG parses it (so "0x7f.1",
// "2130706433" and "[::ffff:127.0.0.1]" are seen as the addresses they are):
//   - https only, no user:password@ part, no fragment;
//   - the host is not "localhost" (or *.localhost, *.local, *.internal) and
//     has a dot (no single-label intranet names);
//   - an IP literal is not loopback, private, link-local, CGNAT, unspecified,
//     multicast, broadcast, documentation or otherwise reserved, in v4 or v6
//     (v4-mapped, v4-translated, v4-compatible, NAT64 and 6to4 forms included;
//     Teredo and v6 outside 2000::/3 refused). The ranges are ipaddr.js's.
// A public name whose DNS answer is a private address (an internal record,
// or DNS rebinding) passes here: names are checked where the request is made,
// on the very addresses the connection then uses (lib/credentials/outbound.ts,
// with isPublicIpAddress below). Redirects are not followed either, so a
// public host cannot bounce the request inward.

import ipaddr from "ipaddr.js";

export type UrlProblem = string;

const BLOCKED_NAME = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

// Address classification is ipaddr.js's (its range tables follow the IANA
// special-purpose registries); only what it calls "unicast" can be public.
// On top of it, the forms that carry another address inside, and the space
// it calls unicast that is not allocated for global routing.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR("2000::/3");
const NAT64_LOCAL_USE = ipaddr.IPv6.parseCIDR("64:ff9b:1::/48");

/** Only the canonical dotted quad: "127.1", "0x7f.0.0.1" and "0127.0.0.1" are not addresses we accept. */
function parseV4(text: string): ipaddr.IPv4 | null {
  return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : null;
}

function parseV6(text: string): ipaddr.IPv6 | null {
  // A zone id (fe80::1%eth0) only ever names a link-local neighbour.
  if (text.includes("%") || !ipaddr.IPv6.isValid(text)) return null;
  return ipaddr.IPv6.parse(text);
}

const v4FromGroups = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);

function v4IsPublic(a: ipaddr.IPv4): boolean {
  return a.range() === "unicast";
}

function v6IsPublic(a: ipaddr.IPv6): boolean {
  const g = a.parts;
  switch (a.range()) {
    // Forms that carry an IPv4 address: it is what the packet reaches.
    case "ipv4Mapped": // ::ffff:a.b.c.d
    case "rfc6145": // ::ffff:0:a.b.c.d (SIIT)
      return v4IsPublic(v4FromGroups(g[6], g[7]));
    case "rfc6052": // NAT64, 64:ff9b::a.b.c.d (the well-known prefix; its local-use /48 is never public)
      return !a.match(NAT64_LOCAL_USE) && v4IsPublic(v4FromGroups(g[6], g[7]));
    case "6to4": // 2002:aabb:ccdd::/48 reaches a.b.c.d's network
      return v4IsPublic(v4FromGroups(g[1], g[2]));
    case "unicast":
      // ::a.b.c.d (deprecated v4-compatible) is "unicast" to ipaddr.js: refuse it.
      if (g.slice(0, 6).every((x) => x === 0)) return false;
      // Outside 2000::/3 nothing is allocated for global routing.
      return a.match(GLOBAL_UNICAST_V6);
    default:
      // loopback, unspecified, link-local, unique-local, site-local,
      // multicast, documentation, discard, Teredo, benchmarking, ORCHID …
      return false;
  }
}

/** True for an IPv4 address (four octets) that is not publicly routable. */
export function isNonPublicIPv4(parts: number[]): boolean {
  return !v4IsPublic(new ipaddr.IPv4(parts));
}

/** True for an IPv6 address (eight 16-bit groups) that is not publicly routable, or embeds one that is not. */
export function isNonPublicIPv6(groups: number[]): boolean {
  return !v6IsPublic(new ipaddr.IPv6(groups));
}

/** True when `address` (an IPv4 or IPv6 literal, no brackets) is publicly routable. */
export function isPublicIpAddress(address: string): boolean {
  const v4 = parseV4(address);
  if (v4) return v4IsPublic(v4);
  const v6 = parseV6(address);
  return v6 !== null && v6IsPublic(v6);
}

/**
 * Why `raw` may not be used as a connector URL, or null if it may. `allowPath`
 * says whether a path after the host is acceptable (a base URL) or not (a
 * console or collector address, where only the origin matters).
 */
export function publicHttpsUrlProblem(raw: string, opts: { allowPath?: boolean } = {}): UrlProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "Enter a full URL starting with https://";
  }
  if (url.protocol !== "https:") return "Use an https:// URL: the secret must not travel unencrypted";
  if (url.username || url.password) return "Leave user names and passwords out of the URL";
  if (url.hash) return "Remove the #fragment from the URL";
  if (url.search) return "Remove the ?query from the URL";
  if (!opts.allowPath && url.pathname !== "/") return "Enter only the address (scheme, host and optional port), without a path";
  const host = url.hostname;
  if (host.startsWith("[")) {
    const v6 = parseV6(host.slice(1, -1));
    if (!v6 || !v6IsPublic(v6)) return "That address is on a private, loopback or reserved network; use the service's public address";
    return null;
  }
  const v4 = parseV4(host);
  if (v4) {
    if (!v4IsPublic(v4)) return "That address is on a private, loopback or reserved network; use the service's public address";
    return null;
  }
  if (BLOCKED_NAME.test(host.replace(/\.$/, ""))) return "Local and internal host names are not allowed; use the service's public address";
  if (!host.includes(".")) return "Use the service's fully qualified host name (for example console.example.com)";
  return null;
}

/** The URL normalised for storage: origin plus path without a trailing slash. */
export function normalizeBaseUrl(raw: string): string {
  const url = new URL(raw);
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.origin}${path}`;
}
