// RFC 9457 problem documents: every error the API answers is one
// (`application/problem+json`), with the request id, so a caller can quote
// it and an operator can find the log line and the audit row.
import { ApiProblem } from "./endpoint";

export const PROBLEM_TYPE_BASE = "/api/v1/problems/";

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  request_id: string;
  [extension: string]: unknown;
}

/** `type` of a problem: a short slug becomes a URL path under /api/v1/problems/. */
export function problemType(slug: string): string {
  return slug === "about:blank" ? slug : `${PROBLEM_TYPE_BASE}${slug}`;
}

export function problemBody(problem: ApiProblem, requestId: string, instance?: string): ProblemBody {
  // Extensions never replace the standard members.
  const { type: _t, title: _ti, status: _s, detail: _d, instance: _i, request_id: _r, ...extensions } = problem.extensions;
  return {
    type: problemType(problem.type),
    title: problem.title,
    status: problem.status,
    ...(problem.detail ? { detail: problem.detail } : {}),
    ...(instance ? { instance } : {}),
    request_id: requestId,
    ...extensions,
  };
}

export function problemResponse(problem: ApiProblem, requestId: string, opts: { instance?: string; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(problemBody(problem, requestId, opts.instance)), {
    status: problem.status,
    headers: {
      "content-type": "application/problem+json",
      "cache-control": "no-store",
      "x-request-id": requestId,
      ...opts.headers,
    },
  });
}

/** The problems the gateway itself answers with, by name. */
export const problems = {
  unauthorized: (detail: string) => new ApiProblem(401, "Unauthorized", detail, {}, "unauthorized"),
  forbidden: (detail: string, ext: Record<string, unknown> = {}) => new ApiProblem(403, "Forbidden", detail, ext, "forbidden"),
  notFound: (detail: string) => new ApiProblem(404, "Not Found", detail, {}, "not-found"),
  methodNotAllowed: (allowed: string[]) =>
    new ApiProblem(405, "Method Not Allowed", `This path takes ${allowed.join(", ")}.`, { allowed }, "method-not-allowed"),
  badJson: (detail: string) => new ApiProblem(400, "Malformed JSON", detail, {}, "malformed-json"),
  badRequest: (detail: string, ext: Record<string, unknown> = {}) => new ApiProblem(400, "Bad Request", detail, ext, "bad-request"),
  invalid: (errors: { in: string; path: string; message: string }[]) =>
    new ApiProblem(422, "Validation Failed", "The request does not match the endpoint's schema; see `errors`.", { errors }, "validation"),
  tooLarge: (limit: number) => new ApiProblem(413, "Content Too Large", `The body may be at most ${limit} bytes.`, { limit }, "too-large"),
  unsupportedType: (detail = "Send the body as JSON, with Content-Type: application/json.") =>
    new ApiProblem(415, "Unsupported Media Type", detail, {}, "unsupported-media-type"),
  rateLimited: (detail: string, retryAfter: number) =>
    new ApiProblem(429, "Too Many Requests", detail, { retry_after_seconds: retryAfter }, "rate-limited"),
  quotaExceeded: (detail: string, retryAfter: number) =>
    new ApiProblem(429, "Quota Exceeded", detail, { retry_after_seconds: retryAfter }, "quota-exceeded"),
  concurrency: (limit: number) =>
    new ApiProblem(
      429,
      "Too Many Concurrent Requests",
      `This tenant already has ${limit} API request${limit === 1 ? "" : "s"} in progress, its limit. Retry shortly.`,
      // Like every 429: the wait in the body too (Retry-After says the same).
      { limit, retry_after_seconds: 1 },
      "concurrency",
    ),
  /** The tenant's share of this process's request-body budget is held by its requests in progress (lib/api/gateway/body-budget.ts). */
  bodyBudget: (detail: string, limitBytes: number, retryAfter: number) =>
    new ApiProblem(429, "Too Many Concurrent Requests", detail, { limit_bytes: limitBytes, retry_after_seconds: retryAfter }, "concurrency"),
  unavailable: (detail: string, ext: Record<string, unknown> = {}) => new ApiProblem(503, "Service Unavailable", detail, ext, "unavailable"),
  internal: () => new ApiProblem(500, "Internal Server Error", "Something went wrong on our side; nothing was changed. Quote the request id if it keeps happening.", {}, "internal"),
};
