// The one way the portal sends a request to a vendor on a tenant's behalf.
//
// The URL checks (url-safety.ts) see only the name a tenant admin typed. A
// public-looking name can still resolve to 10.0.0.5 or 169.254.169.254 (an
// internal record, or DNS rebinding: a public answer when checked, a private
// one when connecting). So the check happens here, inside the connection's
// own DNS lookup: every address the name resolves to must be public, and the
// socket connects to exactly the addresses that were checked. There is no
// second lookup to rebind.
//
// Also: no redirects (node's http client never follows them), a timeout over
// the whole exchange, and at most `maxBodyBytes` of the answer read.
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { isPublicIpAddress } from "./url-safety";

export interface OutboundRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBodyBytes: number;
}

export interface OutboundResponse {
  status: number;
  /** The first `maxBodyBytes` (or a little more) of the answer. */
  body: Buffer;
}

export type ResolvedAddress = { address: string; family: number };
/** Every address a host name resolves to (dns.lookup by default; tests pass their own). */
export type ResolveAll = (hostname: string) => Promise<ResolvedAddress[]>;

export interface AddressPolicy {
  resolve: ResolveAll;
  /** Whether a connection to this address may be made. */
  allows: (address: string) => boolean;
}

/** The error code when a name or literal is refused by the policy. */
export const NON_PUBLIC_ADDRESS = "ENONPUBLICADDRESS";

const systemResolve: ResolveAll = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** Vendors are on the public internet: loopback, private, link-local, metadata and reserved addresses are refused. */
export const PUBLIC_ADDRESSES_ONLY: AddressPolicy = { resolve: systemResolve, allows: isPublicIpAddress };

function refused(hostname: string): NodeJS.ErrnoException {
  // The addresses are left out on purpose: the message reaches a tenant
  // admin, and it must not become a way to read the operator's internal DNS.
  const error: NodeJS.ErrnoException = new Error(`${hostname} resolves to an address that is not public`);
  error.code = NON_PUBLIC_ADDRESS;
  return error;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | ResolvedAddress[], family?: number) => void;

/** A `lookup` for net/tls.connect that resolves once, checks every answer, and hands over only checked addresses. */
function checkedLookup(policy: AddressPolicy) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback) => {
    policy.resolve(hostname).then(
      (answers) => {
        const wanted = options.family === 4 || options.family === 6 ? answers.filter((a) => a.family === options.family) : answers;
        if (wanted.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`${hostname} does not resolve`);
          error.code = "ENOTFOUND";
          return callback(error, "");
        }
        // One private answer among public ones is refused too: which one the
        // socket would try first is not ours to choose.
        if (!answers.every((a) => policy.allows(a.address))) return callback(refused(hostname), "");
        if (options.all) return callback(null, wanted);
        callback(null, wanted[0].address, wanted[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ""),
    );
  };
}

/**
 * Sends one request under `policy` (null: no address check, for the local
 * test stub only) and returns the status and the start of the body. Throws
 * for network failures (error.code, or AbortError on timeout).
 */
export function sendOutbound(request: OutboundRequest, policy: AddressPolicy | null): Promise<OutboundResponse> {
  const url = new URL(request.url);
  const literal = url.hostname.replace(/^\[|\]$/g, "");
  // Node connects to IP literals without calling `lookup`: check them here.
  if (policy && net.isIP(literal) && !policy.allows(literal)) return Promise.reject(refused(literal));
  const client = url.protocol === "https:" ? https : http;
  const headers: Record<string, string> = { "user-agent": "mssp-portal connection test", accept: "application/json", ...request.headers };
  if (request.body !== undefined) headers["content-length"] = String(Buffer.byteLength(request.body));

  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: request.method,
        headers,
        signal: AbortSignal.timeout(request.timeoutMs),
        ...(policy ? { lookup: checkedLookup(policy) as unknown as net.LookupFunction } : {}),
        // A fresh connection per request: a pooled socket would skip the check.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= request.maxBodyBytes) {
            res.destroy();
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
          }
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on("error", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    req.on("error", reject);
    req.end(request.body);
  });
}
