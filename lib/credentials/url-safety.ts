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
//     (v4-mapped, v4-compatible, NAT64 and 6to4 forms included).
// A public name whose DNS answer is a private address (an internal record,
// or DNS rebinding) passes here: names are checked where the request is made,
// on the very addresses the connection then uses (lib/credentials/outbound.ts,
// with isPublicIpAddress below). Redirects are not followed either, so a
// public host cannot bounce the request inward.

export type UrlProblem = string;

const BLOCKED_NAME = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

function parseV4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

/** True for an IPv4 address that is not publicly routable. */
export function isNonPublicIPv4(parts: number[]): boolean {
  const [a, b, c] = parts;
  return (
    a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // CGNAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && c === 0) || // IETF protocol assignments
    (a === 192 && b === 0 && c === 2) || // TEST-NET-1
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) || // TEST-NET-2
    (a === 203 && b === 0 && c === 113) || // TEST-NET-3
    a >= 224 // multicast, reserved, broadcast
  );
}

/** Expands an IPv6 literal (no brackets) to eight 16-bit groups, or null. */
function parseV6(host: string): number[] | null {
  let text = host.toLowerCase();
  if (text.includes("%")) return null; // zone ids never reach a public host
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two groups.
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (tail) {
    const v4 = parseV4(tail[1]);
    if (!v4) return null;
    text = `${text.slice(0, -tail[1].length)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => parseInt(g, 16));
}

function v4Of(hi: number, lo: number): number[] {
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

/** True for an IPv6 address that is not publicly routable (or embeds one that is not). */
export function isNonPublicIPv6(g: number[]): boolean {
  const zeroPrefix = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (g.every((x) => x === 0)) return true; // ::
  if (zeroPrefix(7) && g[7] === 1) return true; // ::1
  if (zeroPrefix(5) && g[5] === 0xffff) return isNonPublicIPv4(v4Of(g[6], g[7])); // ::ffff:a.b.c.d
  if (zeroPrefix(6)) return true; // ::a.b.c.d (deprecated v4-compatible): refuse outright
  if (g[0] === 0x64 && g[1] === 0xff9b) return isNonPublicIPv4(v4Of(g[6], g[7])); // NAT64
  if (g[0] === 0x2002) return isNonPublicIPv4(v4Of(g[1], g[2])); // 6to4
  if ((g[0] & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((g[0] & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g[0] & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local (deprecated)
  if ((g[0] & 0xff00) === 0xff00) return true; // multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return true; // documentation
  if (g[0] === 0x0100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return true; // 100::/64 discard-only
  return false;
}

/** True when `address` (an IPv4 or IPv6 literal, no brackets) is publicly routable. */
export function isPublicIpAddress(address: string): boolean {
  const v4 = parseV4(address);
  if (v4) return !isNonPublicIPv4(v4);
  const v6 = parseV6(address);
  return v6 !== null && !isNonPublicIPv6(v6);
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
    const groups = parseV6(host.slice(1, -1));
    if (!groups || isNonPublicIPv6(groups)) return "That address is on a private, loopback or reserved network; use the service's public address";
    return null;
  }
  const v4 = parseV4(host);
  if (v4) {
    if (isNonPublicIPv4(v4)) return "That address is on a private, loopback or reserved network; use the service's public address";
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
