// How a webhook receiver knows a delivery came from this portal, unaltered
// and recently. Every delivery carries:
//
//   X-Portal-Timestamp: 1764561600              (unix seconds when it was signed)
//   X-Portal-Signature: v1=<hex HMAC-SHA256>    (key: the channel's signing secret,
//                                                message: "<timestamp>.<raw body>")
//   X-Portal-Delivery:  <delivery id>           (the same on every retry: deduplicate on it)
//
// A receiver recomputes the HMAC over the timestamp header, a dot and the
// raw request body (bytes as received, before any JSON parsing), compares
// it in constant time, and refuses a timestamp more than five minutes from
// its clock: a captured request cannot be replayed later, and the timestamp
// cannot be changed without breaking the signature. verifySignature below is
// that check, for tests and for anyone writing a receiver in Node.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-portal-signature";
export const TIMESTAMP_HEADER = "x-portal-timestamp";
export const DELIVERY_HEADER = "x-portal-delivery";
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function signatureOf(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex")}`;
}

export function signedHeaders(secret: string, deliveryId: string, body: string, now = new Date()): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    "content-type": "application/json",
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signatureOf(secret, timestamp, body),
    [DELIVERY_HEADER]: deliveryId,
  };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: "missing" | "stale" | "mismatch" };

/** The receiver's check: the signature matches the body and timestamp, and the timestamp is recent. */
export function verifySignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: string,
  now = new Date(),
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "missing" };
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceSeconds) return { ok: false, reason: "stale" };
  const expected = Buffer.from(signatureOf(secret, Number(timestamp), rawBody));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "mismatch" };
  return { ok: true };
}
