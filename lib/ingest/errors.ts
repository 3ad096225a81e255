// Refusals of the ingestion domain, with no HTTP in them: the API's endpoints
// (lib/api/endpoints) turn each kind into its status and problem document.
import { sqlState } from "@/lib/db/sql-state";

export type RefusalKind = "not_found" | "conflict" | "invalid" | "forbidden";

export class IngestRefusal extends Error {
  override readonly name = "IngestRefusal";
  constructor(
    readonly kind: RefusalKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * A write refused by RLS (42501: the caller's role may not write here, or the
 * tenant is suspended or offboarded) becomes a refusal; anything else is
 * rethrown.
 */
export function refuseIfDenied(error: unknown, what: string): never {
  if (sqlState(error) === "42501") {
    throw new IngestRefusal("forbidden", `This caller may not ${what} in this tenant (its role does not allow it, or the tenant is suspended). Nothing was written.`);
  }
  throw error;
}
