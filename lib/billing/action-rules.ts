// Helpers of the billing actions (lib/billing): turn a database refusal into
// a sentence, and run a write as the service role after the PDP allowed it.
import { ActionRefusal } from "@/lib/actions/refusal";
import { refusalOf } from "./plans";

export async function refusing<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ActionRefusal) throw error;
    throw refusalOf(error) ?? error;
  }
}

export function requireKind(tenant: { kind: string }, kind: "mssp" | "customer", what: string): void {
  if (tenant.kind !== kind) throw new ActionRefusal(`${what} Nothing was changed.`);
}
