// What a tenant admin may add as a custom domain (issue 14 point 3). A pure
// function of the input and the portal's own domain: the checks against other
// tenants' domains (taken, look-alike) are in store.ts, which sees them all.
import { domainToASCII, domainToUnicode } from "node:url";
import { skeleton } from "./skeleton";

export interface ParsedDomain {
  /** lowercase ASCII (punycode) form: what is stored and matched against the Host header. */
  ascii: string;
  /** The Unicode form, for display. */
  unicode: string;
  skeleton: string;
}

export type DomainParse = { ok: true; domain: ParsedDomain } | { ok: false; message: string };

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

export const DOMAIN_MESSAGES = {
  empty: "Enter a domain name, such as soc.example.com.",
  tooLong: "That domain name is too long: at most 253 characters, each part at most 63.",
  notHost: "Enter the host name only, such as soc.example.com: no https://, port, path or spaces.",
  wildcard: "Wildcard domains cannot be added: enter one host name, such as soc.example.com.",
  ip: "An IP address cannot be a custom domain: enter a host name, such as soc.example.com.",
  invalid: "That is not a valid domain name: use letters, digits and hyphens in parts separated by dots, such as soc.example.com.",
  single: "Enter a full domain name with at least two parts, such as soc.example.com.",
  portal: "That name belongs to this portal itself; enter a domain your organisation owns.",
  portalLookAlike: "That name looks like this portal's own domain; enter a domain your organisation owns.",
} as const;

export function parseDomainInput(raw: string, portalDomain: string): DomainParse {
  const v = raw.trim().toLowerCase().replace(/\.$/, "");
  if (!v) return { ok: false, message: DOMAIN_MESSAGES.empty };
  if (v.length > 253) return { ok: false, message: DOMAIN_MESSAGES.tooLong };
  if (v.includes("*")) return { ok: false, message: DOMAIN_MESSAGES.wildcard };
  if (/^\[.*\]$/.test(v) || (v.includes(":") && /^[0-9a-f:.]+$/.test(v))) return { ok: false, message: DOMAIN_MESSAGES.ip };
  if (/[\s/\\:@?#%]/.test(v)) return { ok: false, message: DOMAIN_MESSAGES.notHost };
  // A last label of digits (or hex) makes the WHATWG host parser read it as an address.
  if (/^(?:\d+|0x[0-9a-f]*)$/.test(v.split(".").pop()!)) return { ok: false, message: DOMAIN_MESSAGES.ip };
  // UTS #46 processing (the WHATWG URL host parser): maps and punycodes; "" when invalid.
  const ascii = domainToASCII(v);
  if (!ascii) return { ok: false, message: DOMAIN_MESSAGES.invalid };
  if (IPV4.test(ascii) || IPV4.test(v)) return { ok: false, message: DOMAIN_MESSAGES.ip };
  if (ascii.length > 253) return { ok: false, message: DOMAIN_MESSAGES.tooLong };
  const labels = ascii.split(".");
  if (labels.some((l) => l.length > 63)) return { ok: false, message: DOMAIN_MESSAGES.tooLong };
  if (!labels.every((l) => LABEL.test(l))) return { ok: false, message: DOMAIN_MESSAGES.invalid };
  if (labels.length < 2) return { ok: false, message: DOMAIN_MESSAGES.single };
  // A top-level label of digits only is an address, not a name.
  if (/^\d+$/.test(labels[labels.length - 1])) return { ok: false, message: DOMAIN_MESSAGES.ip };
  const portal = portalDomain.toLowerCase();
  if (ascii === portal || ascii.endsWith(`.${portal}`)) return { ok: false, message: DOMAIN_MESSAGES.portal };
  const unicode = domainToUnicode(ascii) || ascii;
  const sk = skeleton(unicode);
  const portalSk = skeleton(domainToUnicode(portal) || portal);
  if (sk === portalSk || sk.endsWith(`.${portalSk}`)) return { ok: false, message: DOMAIN_MESSAGES.portalLookAlike };
  return { ok: true, domain: { ascii, unicode, skeleton: sk } };
}
