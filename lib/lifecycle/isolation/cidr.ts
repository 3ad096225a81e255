// CIDR values as the Kubernetes API server checks them in a NetworkPolicy's
// ipBlock (pkg/apis/networking/validation ValidateIPBlock, with strict IP/CIDR
// validation): a plain address and prefix, no leading zeros, no bits set past
// the prefix, no IPv4-mapped IPv6 address (`::ffff:0:0/96` is refused), and
// each `except` strictly inside its `cidr`, of the same family. The renderer's
// validation (validate.ts) and the collector's egress setting
// (lib/collector/deployment.ts) use these, so a value the API server would
// refuse fails here, naming the field, instead of half-way through an apply.
import { isIPv4, isIPv6 } from "node:net";

export interface Cidr {
  family: 4 | 6;
  /** The network address as a number. */
  base: bigint;
  prefix: number;
}

const width = (family: 4 | 6) => (family === 4 ? 32 : 128);

function v4(text: string): bigint {
  return text.split(".").reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n);
}

function v6(text: string): bigint {
  // An embedded dotted quad (::ffff:1.2.3.4, 64:ff9b::10.0.0.1) is the last two groups.
  const s = text.replace(/(\d+\.\d+\.\d+\.\d+)$/, (quad) => {
    const n = v4(quad);
    return `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  });
  const groups = (part: string) => (part ? part.split(":").map((g) => BigInt(parseInt(g, 16))) : []);
  const [head, rest] = s.split("::");
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = [...left, ...Array<bigint>(8 - left.length - right.length).fill(0n), ...right];
  return all.reduce((n, g) => (n << 16n) | g, 0n);
}

/** The CIDR, or why the API server would refuse it. */
export function parseCidr(text: string): { ok: true; cidr: Cidr } | { ok: false; problem: string } {
  const m = /^([^/]+)\/(0|[1-9]\d{0,2})$/.exec(text);
  if (!m) return { ok: false, problem: `"${text}" must be an address and a prefix length, e.g. 10.0.0.0/8 or fd00::/8` };
  const [, address, bits] = m;
  // node's isIPv4 refuses leading zeros, as the API server does; a zone (%eth0) is no address here.
  const family = isIPv4(address) ? 4 : isIPv6(address) && !address.includes("%") ? 6 : null;
  if (!family) return { ok: false, problem: `"${text}" is not a valid CIDR` };
  const prefix = Number(bits);
  if (prefix > width(family)) return { ok: false, problem: `"${text}" has a prefix longer than ${width(family)}` };
  const base = family === 4 ? v4(address) : v6(address);
  if (family === 6 && base >> 32n === 0xffffn) return { ok: false, problem: `"${text}" must not have an IPv4-mapped IPv6 address (write the IPv4 range instead)` };
  const hostBits = BigInt(width(family) - prefix);
  if ((base & ((1n << hostBits) - 1n)) !== 0n) return { ok: false, problem: `"${text}" must not have bits set beyond the prefix length` };
  return { ok: true, cidr: { family, base, prefix } };
}

/** `inner` lies inside `outer` and is smaller: what ipBlock.except must be to its cidr. */
export function strictlyWithin(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix <= outer.prefix) return false;
  const shift = BigInt(width(outer.family) - outer.prefix);
  return inner.base >> shift === outer.base >> shift;
}

/** Canonical text (RFC 5952 for IPv6: lowercase, no leading zeros, the longest zero run as "::"). */
export function formatCidr(c: Cidr): string {
  if (c.family === 4) return `${[24n, 16n, 8n, 0n].map((s) => String((c.base >> s) & 0xffn)).join(".")}/${c.prefix}`;
  const groups = Array.from({ length: 8 }, (_, i) => Number((c.base >> BigInt(16 * (7 - i))) & 0xffffn));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  const text = best.len >= 2 ? `${hex(groups.slice(0, best.at))}::${hex(groups.slice(best.at + best.len))}` : hex(groups);
  return `${text}/${c.prefix}`;
}

/** The NAT64 well-known prefix (RFC 6052): 64:ff9b::a.b.c.d reaches the IPv4 address a.b.c.d. */
export const NAT64_WELL_KNOWN: Cidr = { family: 6, base: 0x0064ff9bn << 96n, prefix: 96 };

/** An IPv4 range as reached through the NAT64 well-known prefix: 10.0.0.0/8 → 64:ff9b::a00:0/104. */
export function viaNat64(v4cidr: Cidr): Cidr {
  if (v4cidr.family !== 4) throw new Error("viaNat64 takes an IPv4 range");
  return { family: 6, base: NAT64_WELL_KNOWN.base | v4cidr.base, prefix: 96 + v4cidr.prefix };
}
