// Who is asking, for rate limits: the client's address from one configured
// source, never from whatever header a client chooses to send.
//
// What the app can see: next-auth's authorize(credentials, req) gets the
// request's headers, not its socket. Next.js writes the socket's address into
// X-Forwarded-For only when the request has none (`??=`), so a client talking
// to Next.js directly can put any address there. Proxies that append to the
// header (nginx's $proxy_add_x_forwarded_for, ingress-nginx, most cloud load
// balancers) add the address they saw on the right.
//
// TRUST_PROXY = the number of such proxies in front of the portal:
//   unset or 0  nothing is trusted: every request is the one source "unknown"
//               (per-source limits become limits on all sign-ins together);
//   N >= 1      the N-th address from the right of X-Forwarded-For, the one the
//               outermost trusted proxy saw. Anything left of it is the client's.
// Set it to exactly the number of appending proxies: one too many and clients
// choose their address again.
import { isIP } from "node:net";
import { settings } from "@/lib/config";

export const UNKNOWN_SOURCE = "unknown";

type HeaderBag = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

export function trustedProxyHops(env: Record<string, string | undefined> = process.env): number {
  return settings(env).TRUST_PROXY;
}

function header(headers: HeaderBag, name: string): string | null {
  if (typeof (headers as { get?: unknown }).get === "function") return (headers as { get(n: string): string | null }).get(name);
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v.join(",") : (v ?? null);
}

/**
 * The rate-limit source of a request: "ip:<v4>", "ip6:<first 64 bits>::/64"
 * (one IPv6 subscriber gets a whole /64), or "unknown".
 */
export function clientSource(headers: HeaderBag | null | undefined, env: Record<string, string | undefined> = process.env): string {
  const hops = trustedProxyHops(env);
  if (hops === 0 || !headers) return UNKNOWN_SOURCE;
  const chain = (header(headers, "x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  // Fewer entries than trusted proxies: the request did not come through them.
  if (chain.length < hops) return UNKNOWN_SOURCE;
  return normalise(chain[chain.length - hops]) ?? UNKNOWN_SOURCE;
}

function normalise(raw: string): string | null {
  let a = raw.replace(/^\[|\](:\d+)?$/g, "");
  if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(a)) a = a.replace(/:\d+$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped) a = mapped[1];
  const kind = isIP(a);
  if (kind === 4) return `ip:${a}`;
  if (kind === 6) return `ip6:${prefix64(a)}::/64`;
  return null;
}

function prefix64(v6: string): string {
  const noZone = v6.split("%")[0].toLowerCase();
  const [head, tail = ""] = noZone.split("::");
  const h = head ? head.split(":") : [];
  const t = noZone.includes("::") ? (tail ? tail.split(":") : []) : [];
  const groups = noZone.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  return groups.slice(0, 4).map((g) => (g.includes(".") ? "0" : String(parseInt(g || "0", 16).toString(16)))).join(":");
}
