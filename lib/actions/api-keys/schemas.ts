// Forms of the API key actions. Scopes arrive as one checkbox per scope
// (scope_alerts_read=on …), since a form's repeated names keep only the last
// value here (formToObject); an unknown scope field is refused, not ignored.
import { z } from "zod";
import { API_SCOPES, EXPIRY_CHOICES, type ApiScope } from "@/lib/api/keys/scopes";

export const scopeField = (scope: ApiScope) => `scope_${scope.replace(/[:]/g, "_")}`;
const FIELD_SCOPE = new Map(API_SCOPES.map((s) => [scopeField(s), s]));

const tenantId = z.string().uuid("Pick a tenant");

export const createApiKeySchema = z
  .looseObject({
    tenantId,
    name: z
      .string({ message: "Enter a name" })
      .trim()
      .min(1, "Enter a name, e.g. “SIEM forwarder”")
      .max(80, "A name is at most 80 characters")
      .regex(/^[^\u0000-\u001f\u007f]*$/, "A name cannot contain control characters"),
    expiresInDays: z.enum(EXPIRY_CHOICES.map(String) as [string, ...string[]], { message: `Pick an expiry: ${EXPIRY_CHOICES.join(", ")} days` }),
  })
  .superRefine((input, ctx) => {
    const scopeKeys = Object.keys(input).filter((k) => k.startsWith("scope_"));
    for (const k of scopeKeys) {
      if (!FIELD_SCOPE.has(k)) ctx.addIssue({ code: "custom", path: ["scopes"], message: "That is not one of the API's scopes" });
      else if (input[k] !== "on") ctx.addIssue({ code: "custom", path: ["scopes"], message: "A scope is either ticked or left out" });
    }
    if (!scopeKeys.some((k) => FIELD_SCOPE.has(k))) ctx.addIssue({ code: "custom", path: ["scopes"], message: "Tick at least one scope" });
  });

/** The ticked scopes of a form that passed createApiKeySchema. */
export function scopesOf(input: Record<string, unknown>): ApiScope[] {
  return API_SCOPES.filter((s) => input[scopeField(s)] === "on");
}

export const revokeApiKeySchema = z.object({
  tenantId,
  keyId: z.string().uuid("Pick a key"),
});
