// Requests to a vendor, the way the portal's connection test sends them
// (lib/credentials/outbound.ts): every address the vendor's name resolves to
// must be public, checked on the very addresses the socket uses (no DNS
// rebinding), redirects never followed, a timeout over the whole exchange,
// the answer's size capped. CONNECTOR_TEST_ENDPOINT sends them to a local
// stub instead, exactly as for connection tests (lib/credentials/verify.ts
// says when it is honoured).
//
// A VendorError says what happened with the status and the host only: never
// the vendor's body (it may quote the secret back) nor the request.
import { NON_PUBLIC_ADDRESS, PUBLIC_ADDRESSES_ONLY, sendOutbound } from "@/lib/credentials/outbound";
import { targetUrl } from "@/lib/credentials/verify";

export const VENDOR_TIMEOUT_MS = 30_000;
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export class VendorError extends Error {
  override readonly name = "VendorError";
  /** Survives lib/log's scrubbing (a ScrubbedError keeps the name and the code only). */
  readonly code: string;
  constructor(
    message: string,
    /** 0 when the vendor did not answer. */
    readonly status: number,
  ) {
    super(message);
    this.code = `vendor_http_${status}`;
  }
}

/**
 * What a vendor call's failure was, also after the credential's scrubbing
 * (credentials.ts use()) replaced the VendorError with a ScrubbedError: the
 * status (0: no answer, null: not a vendor answer at all) and the message.
 */
export function vendorFailure(error: unknown): { status: number | null; message: string } {
  const e = error as { name?: string; originalName?: string; code?: unknown; message?: string };
  const isVendor = error instanceof VendorError || (e?.name === "ScrubbedError" && e.originalName === "VendorError");
  const m = isVendor && typeof e.code === "string" ? /^vendor_http_(\d+)$/.exec(e.code) : null;
  if (m) return { status: Number(m[1]), message: e.message ?? "" };
  const name = e?.name === "ScrubbedError" ? e.originalName : e?.name;
  return { status: null, message: `${name ?? "Error"}: ${e?.message ?? String(error)}` };
}

/** The credential itself was refused: the collector reopens it from the vault before trying again. */
export const authRefused = (status: number | null) => status === 401 || status === 403;

export interface VendorRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export type VendorFetch = (request: VendorRequest) => Promise<unknown>;

/** A fetcher for one connector kind; the answer must be 2xx JSON. */
export function vendorFetch(kind: string, userAgent: string): VendorFetch {
  return async (request) => {
    const host = new URL(request.url).host;
    const target = targetUrl(kind, request.url);
    let response;
    try {
      response = await sendOutbound(
        {
          url: target,
          method: request.method,
          headers: { "user-agent": userAgent, accept: "application/json", ...request.headers },
          body: request.body,
          timeoutMs: VENDOR_TIMEOUT_MS,
          maxBodyBytes: MAX_BODY_BYTES,
        },
        // Only the local test stub goes without the address check (as for connection tests).
        target === request.url ? PUBLIC_ADDRESSES_ONLY : null,
      );
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      const reason =
        e.code === NON_PUBLIC_ADDRESS
          ? "its host name resolves to an address that is not public"
          : e.name === "TimeoutError" || e.name === "AbortError"
            ? `no answer within ${VENDOR_TIMEOUT_MS / 1000} s`
            : (e.code ?? "network error");
      throw new VendorError(`${host} could not be reached: ${reason}`, 0);
    }
    if (response.status < 200 || response.status >= 300) {
      const hint = response.status === 401 || response.status === 403 ? "; the credential was refused" : response.status === 429 ? "; rate limited" : "";
      throw new VendorError(`${host} answered ${response.status}${hint}`, response.status);
    }
    if (response.body.length >= MAX_BODY_BYTES) throw new VendorError(`${host} answered more than ${MAX_BODY_BYTES} bytes; lower COLLECTOR_PAGE_SIZE`, response.status);
    try {
      return JSON.parse(response.body.toString("utf8"));
    } catch {
      throw new VendorError(`${host} answered ${response.status} with a body that is not JSON`, response.status);
    }
  };
}
