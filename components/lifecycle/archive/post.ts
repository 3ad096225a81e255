"use client";
// The archive pages' requests: an upload envelope (lib/lifecycle/web/envelope.ts)
// or a JSON body, POSTed to a console route; the answer as data, or the
// route's message (or a plain one when the network or the server failed).
import { ENVELOPE_CONTENT_TYPE, envelopeBody, formatBytes, UPLOAD_LIMIT_BYTES, type EnvelopeHead } from "@/lib/lifecycle/web/envelope";

export type Outcome<T> = { ok: true; data: T } | { ok: false; error: string };

async function errorOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === "string" && body.error) return body.error;
  } catch {
    // not JSON: fall through
  }
  if (response.status === 401) return "Your session has ended. Sign in again.";
  if (response.status === 413) return `The upload is larger than the console takes (${formatBytes(UPLOAD_LIMIT_BYTES)}).`;
  return `The server answered ${response.status}; nothing was changed. Try again.`;
}

export async function postEnvelope<T>(url: string, fields: EnvelopeHead["fields"], files: { field: string; file: File }[], tooLarge: string): Promise<Outcome<T>> {
  const body = envelopeBody(fields, files);
  if (body.size > UPLOAD_LIMIT_BYTES) {
    return { ok: false, error: `${tooLarge} The console takes uploads of up to ${formatBytes(UPLOAD_LIMIT_BYTES)}; this one is ${formatBytes(body.size)}.` };
  }
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers: { "Content-Type": ENVELOPE_CONTENT_TYPE }, body, credentials: "same-origin" });
  } catch {
    return { ok: false, error: "The portal could not be reached; nothing was changed. Check your connection and try again." };
  }
  if (!response.ok) return { ok: false, error: await errorOf(response) };
  return { ok: true, data: (await response.json()) as T };
}

export { errorOf };
