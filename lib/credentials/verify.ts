// Sends a connector's verify request (connectors.ts) and turns what happened
// into a short message a person can act on. The message is built only from
// the status, the host and fixed phrases: never from the response body (which
// may quote the secret back) nor from the request. As a last guard it is also
// scrubbed of the secret and its encodings.
//
// Requests go through outbound.ts: every address the vendor's host name
// resolves to must be public (checked on the addresses the socket then uses,
// so DNS rebinding cannot slip an internal address in), 5 s timeout,
// redirects NOT followed (a public host must not be able to bounce the
// request, with its secret, to another address), body read at most 16 KiB.
//
// CONNECTOR_TEST_ENDPOINT — for tests and local demos only. When set (e.g.
// http://127.0.0.1:4010), every verify request goes to
// `${CONNECTOR_TEST_ENDPOINT}/${connector}${path+query of the real URL}` with
// the same method, headers and body, so a stub can stand in for the vendors.
// It is ignored when NODE_ENV=production unless
// CONNECTOR_TEST_ENDPOINT_ALLOW_PRODUCTION=1 (the e2e server runs a
// production build against a stub and sets both). Never set it on a real
// deployment: it sends real secrets to that address.
import { log, scrubText } from "@/lib/log";
import type { Connector, ConnectorConfig, VerifyRequest } from "./connectors";
import { NON_PUBLIC_ADDRESS, PUBLIC_ADDRESSES_ONLY, sendOutbound, type AddressPolicy, type OutboundResponse } from "./outbound";
import { settings } from "@/lib/config";

export const VERIFY_TIMEOUT_MS = 5_000;
const MAX_BODY_BYTES = 16 * 1024;

export interface VerifyResult {
  ok: boolean;
  /** The HTTP status, when the service answered. */
  status?: number;
  message: string;
}

let warnedIgnored = false;

/** The stub base URL to use instead of the vendor, or null (see the note at the top). */
export function testEndpoint(env: NodeJS.ProcessEnv = process.env): string | null {
  const s = settings(env);
  const raw = s.CONNECTOR_TEST_ENDPOINT;
  if (!raw) return null;
  if (s.NODE_ENV === "production" && !s.CONNECTOR_TEST_ENDPOINT_ALLOW_PRODUCTION) {
    if (!warnedIgnored) {
      warnedIgnored = true;
      log.warn({ event: "credentials.test-endpoint-ignored" }, "CONNECTOR_TEST_ENDPOINT is set but ignored in production (set CONNECTOR_TEST_ENDPOINT_ALLOW_PRODUCTION=1 only for e2e runs)");
    }
    return null;
  }
  return raw.replace(/\/+$/, "");
}

/** Where the request is really sent: the vendor, or the test stub. */
export function targetUrl(kind: string, url: string, env: NodeJS.ProcessEnv = process.env): string {
  const stub = testEndpoint(env);
  if (!stub) return url;
  const u = new URL(url);
  return `${stub}/${kind}${u.pathname}${u.search}`;
}

const STATUS_TEXT: Record<number, string> = { 404: "Not Found", 405: "Method Not Allowed", 410: "Gone" };

function networkReason(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `timeout (no answer within ${VERIFY_TIMEOUT_MS / 1000} s)`;
  const code = e?.code ?? e?.cause?.code;
  switch (code) {
    case NON_PUBLIC_ADDRESS:
      return "its host name resolves to a private, loopback or reserved address; use the service's public address";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the host name does not resolve";
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "the connection was reset";
    case "UND_ERR_CONNECT_TIMEOUT":
    case "ETIMEDOUT":
      return `timeout (no answer within ${VERIFY_TIMEOUT_MS / 1000} s)`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "the network is unreachable";
  }
  if (typeof code === "string" && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return `its TLS certificate was not accepted (${code})`;
  return "network error";
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

/** Who answered: the vendor, or for a generic API its host. */
function vendorOf(connector: Connector, host: string): string {
  return connector.kind === "generic_api_key" ? host : connector.vendor;
}

function describeStatus(connector: Connector, host: string, status: number, explanation: string | undefined): string {
  const vendor = vendorOf(connector, host);
  const why = explanation ? `: ${explanation}` : "";
  const secretNoun = connector.secret.noun;
  if (status >= 300 && status < 400) return `${host} redirected the request (${status}); enter the address the service answers on directly.`;
  if (status === 400) return `${vendor} rejected the request (400)${why || `; check ${connector.checkHint}`}.`;
  if (status === 401 || status === 403) return `${vendor} refused the ${secretNoun} (${status})${why}.`;
  if (status === 404 || status === 405 || status === 410)
    return `${host} answered ${status} ${STATUS_TEXT[status]}${why || `; check ${connector.checkHint}`}.`;
  if (status === 429) return `${vendor} is rate limiting requests (429); try again in a minute.`;
  if (status >= 500) return `${vendor} had a server error (${status})${why}; try again later.`;
  return `${vendor} answered ${status}, which this test does not expect${why}.`;
}

/**
 * Sends the connector's verify request for this config and secret. Never
 * throws for a network or HTTP failure: those are results. The message holds
 * no part of the secret.
 */
export async function verifyCredential(
  connector: Connector,
  config: ConnectorConfig,
  secret: string,
  policy: AddressPolicy = PUBLIC_ADDRESSES_ONLY,
): Promise<VerifyResult> {
  const request: VerifyRequest = connector.verify(config, secret);
  const host = new URL(request.url).host;
  const scrub = (r: VerifyResult): VerifyResult => ({ ...r, message: scrubText(r.message, [secret]) });
  const target = targetUrl(connector.kind, request.url);
  let response: OutboundResponse;
  try {
    response = await sendOutbound(
      { url: target, method: request.method, headers: request.headers, body: request.body, timeoutMs: VERIFY_TIMEOUT_MS, maxBodyBytes: MAX_BODY_BYTES },
      // The test stub (a local address by design) is the only request sent without the address check.
      target === request.url ? policy : null,
    );
  } catch (error) {
    return scrub({ ok: false, message: `Could not reach ${host}: ${networkReason(error)}.` });
  }
  const status = response.status;
  if (request.okStatuses.includes(status)) {
    return scrub({ ok: true, status, message: `Connected: ${vendorOf(connector, host)} accepted the ${connector.secret.noun} (${status}).` });
  }
  let explanation: string | undefined;
  try {
    explanation = connector.explain?.(status, parseJson(response.body));
  } catch {
    explanation = undefined;
  }
  return scrub({ ok: false, status, message: describeStatus(connector, host, status, explanation) });
}
