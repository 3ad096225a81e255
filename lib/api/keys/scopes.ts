// What a key may be granted. A scope is also the PDP action it allows
// (lib/authz/actions.ts lists both): the creator must hold that action on the
// key's tenant, and the key principal is allowed exactly its scopes' actions
// (policies/tenant.yaml, derived role api_key).
import { API_SCOPES, type ApiScope } from "@/lib/api/endpoint";
import type { Action } from "@/lib/authz";

export { API_SCOPES, type ApiScope };

/** The PDP action a scope needs (today each scope is the action of the same name). */
export const SCOPE_ACTION: Record<ApiScope, Action> = {
  "alerts:read": "alerts:read",
  "alerts:write": "alerts:write",
  "alerts:triage": "alerts:triage",
  "assets:read": "assets:read",
  "assets:write": "assets:write",
  "collectors:write": "collectors:write",
  "usage:read": "usage:read",
};

export const SCOPE_LABELS: Record<ApiScope, string> = {
  "alerts:read": "Read alerts",
  "alerts:write": "Send alerts (ingestion)",
  "alerts:triage": "Triage alerts (status, assignment)",
  "assets:read": "Read assets",
  "assets:write": "Create and update assets",
  "collectors:write": "Run a collector: opens this tenant's saved connector secrets in plain text (each opening audited)",
  "usage:read": "Read usage",
};

export function isApiScope(value: string): value is ApiScope {
  return (API_SCOPES as readonly string[]).includes(value);
}

/** Longest lifetime of a key (the table's check constraint allows 366 days). */
export const MAX_KEY_DAYS = 365;
export const EXPIRY_CHOICES = [7, 30, 90, 180, 365] as const;
