// The console archive routes' answers: JSON errors with the right status and a
// message a person can act on, the same-origin check every POST makes, and the
// transfer key field. Nothing here echoes a key, a temp path or a stack.
import { z } from "zod";
import { isAuthorizationError, isPdpUnavailable } from "@/lib/authz";
import { isArchiveError, parseTransferKey, type ArchiveErrorCode } from "@/lib/lifecycle/archive";
import { log, safeError } from "@/lib/log";
import { transferKeyProblem } from "./envelope";
import { isConsoleRefusal } from "./errors";

export const noStore = { "Cache-Control": "no-store" } as const;

export function jsonError(status: number, error: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ error, ...extra }, { status, headers: noStore });
}

/**
 * A browser sends Origin with every POST; it must be this host (the console).
 * Together with a content type no HTML form can send, a page on another site
 * (a tenant's host included) cannot make a signed-in operator's browser post here.
 */
export function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The transfer key field: 32 bytes in base64, as "Generate a key" and `npm run tenants -- keygen` make. */
export const transferKeyField = z
  .string({ error: () => "Enter the transfer key." })
  .max(200, "The transfer key is 44 characters of base64.")
  .superRefine((text, ctx) => {
    const problem = transferKeyProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform((text) => parseTransferKey(text));

const ARCHIVE_STATUS: Record<ArchiveErrorCode, number> = {
  "bad-key": 400,
  "wrong-key": 422,
  "not-archive": 422,
  "unknown-format": 422,
  corrupt: 422,
  tampered: 422,
  truncated: 422,
  exists: 409,
  conflict: 409,
  "not-found": 404,
  schema: 422,
  invalid: 422,
};

const sentence = (s: string) => {
  const t = s.trim().replace(/\s*\(--parent <slug>\)/g, "").replace(/--parent <slug>/g, "the parent").replace(/--replace/g, "“Replace an existing tenant”");
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? "" : "."}`;
};

/**
 * The response for anything a console archive route caught: a refusal (its
 * status and message, plus `nothing` — what was not done), a deny (403), the
 * PDP down (503), an archive refusal (its reason, with its code), else a
 * logged 500 with a generic message.
 */
export function errorResponse(error: unknown, ctx: { event: string; denied: string; nothing: string }): Response {
  if (isConsoleRefusal(error)) return jsonError(error.status, error.message);
  if (isAuthorizationError(error)) return jsonError(403, `${ctx.denied} ${ctx.nothing}`);
  if (isPdpUnavailable(error)) return jsonError(503, error.message);
  if (isArchiveError(error)) return jsonError(ARCHIVE_STATUS[error.code] ?? 422, `${sentence(error.message)} ${ctx.nothing}`, { code: error.code });
  log.error({ event: ctx.event, err: safeError(error) }, `${ctx.event}`);
  return jsonError(500, `Something went wrong. ${ctx.nothing} Try again, and check the portal's log if it keeps happening.`);
}
