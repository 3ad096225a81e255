// The endpoints' refusals as problem documents: a domain refusal
// (lib/ingest IngestRefusal, lib/alerts ActionRefusal) becomes an ApiProblem
// with the status that fits; anything else propagates (the gateway's 500).
import type { ZodError } from "zod";
import { ActionRefusal } from "@/lib/actions/refusal";
import { ApiProblem } from "@/lib/api/endpoint";
import { issuesOf } from "@/lib/api/gateway/input";
import { problems } from "@/lib/api/problem";
import { IngestRefusal, type RefusalKind } from "@/lib/ingest/errors";

const STATUS: Record<RefusalKind, [number, string, string]> = {
  // Titles as the gateway's own (lib/api/problem.ts): one title per status across the API.
  not_found: [404, "Not Found", "not-found"],
  conflict: [409, "Conflict", "conflict"],
  invalid: [422, "Unprocessable Content", "invalid-input"],
  forbidden: [403, "Forbidden", "forbidden"],
};

// The same title and type by status, for refusals that come with a status rather than a kind (ActionRefusal).
const BY_STATUS = new Map(Object.values(STATUS).map(([status, title, type]) => [status, [title, type] as const]));

export function problemFor(refusal: IngestRefusal): ApiProblem {
  const [status, title, type] = STATUS[refusal.kind];
  return new ApiProblem(status, title, refusal.message, refusal.details, type);
}

export const notFound = (what = "resource") =>
  new ApiProblem(404, "Not Found", `No such ${what} here: it may not exist, or belong to a tenant this key cannot read.`, {}, "not-found");

/** Runs `fn`, turning domain refusals into problem documents. */
export async function refusalsAsProblems<T>(fn: () => Promise<T>, actionStatus?: (r: ActionRefusal) => number): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof IngestRefusal) throw problemFor(error);
    if (error instanceof ActionRefusal) {
      // Typed like the endpoints' own refusals, so a client can branch on `type` rather than read `detail`.
      const status = actionStatus?.(error) ?? 409;
      const [title, type] = BY_STATUS.get(status) ?? BY_STATUS.get(409)!;
      throw new ApiProblem(status, title, error.message, {}, type);
    }
    throw error;
  }
}

/** A zod failure as the 422 a gateway answers for input that does not parse (tests and direct callers use it). */
export function invalidInput(error: ZodError, where: "params" | "query" | "body"): ApiProblem {
  return problems.invalid(issuesOf(where === "params" ? "path" : where, error));
}
