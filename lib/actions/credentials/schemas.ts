// Forms of the credential actions. Every rule a connector has
// (lib/credentials/connectors.ts) runs here, so a bad value comes back as a
// field message before anything is sealed or stored. No message quotes what
// was typed, and no result carries the submitted secret back: the form keeps
// its other fields but the secret box is always empty after a submission.
import { z } from "zod";
import { CONNECTOR_KINDS } from "@/drizzle/credentials";
import { checkSecret, isConnectorKind, parseConfig } from "@/lib/credentials/connectors";

const tenantId = z.string().uuid("Pick a tenant");
const credentialId = z.string().uuid("Pick a credential");
const connector = z.enum(CONNECTOR_KINDS, { message: "Pick a connector" });
/** Long enough for any connector's secret; the connector's own rule is checked below. */
const secret = z.string({ message: "Enter the secret" }).max(8192, "That is longer than any secret this portal accepts");

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_YEARS = 10;

/** An optional YYYY-MM-DD expiry (a date input), as the end of that day in UTC; not in the past. */
const expiresAt = z
  .string()
  .trim()
  .optional()
  .superRefine((value, ctx) => {
    if (!value) return;
    const date = new Date(`${value}T23:59:59.999Z`);
    if (!DATE.test(value) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
      ctx.addIssue({ code: "custom", message: "Enter a date like 2027-01-31" });
    } else if (date.getTime() < Date.now()) {
      ctx.addIssue({ code: "custom", message: "The expiry date is in the past" });
    } else if (date.getTime() > Date.now() + MAX_YEARS * 366 * 86_400_000) {
      ctx.addIssue({ code: "custom", message: `Pick a date within ${MAX_YEARS} years` });
    }
  })
  .transform((value) => (value ? new Date(`${value}T23:59:59.999Z`) : null));

function checkSecretField(kind: unknown, value: unknown, ctx: z.RefinementCtx) {
  if (!isConnectorKind(kind)) return;
  const checked = checkSecret(kind, value);
  if (!checked.ok) for (const message of checked.errors) ctx.addIssue({ code: "custom", path: ["secret"], message });
}

/** The connector settings arrive as cfg_<field> (connectors.ts configFieldName). */
export function configFromForm(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([k]) => k.startsWith("cfg_")).map(([k, v]) => [k.slice(4), v]));
}

export const createCredentialSchema = z
  .looseObject({
    tenantId,
    connector,
    name: z
      .string({ message: "Enter a name" })
      .trim()
      .min(1, "Enter a name, e.g. “Falcon production”")
      .max(80, "A name is at most 80 characters")
      .regex(/^[^\u0000-\u001f\u007f]*$/, "A name cannot contain control characters"),
    expiresAt,
    secret,
  })
  .superRefine((input, ctx) => {
    if (!isConnectorKind(input.connector)) return;
    const config = parseConfig(input.connector, configFromForm(input));
    if (!config.ok) for (const [path, messages] of Object.entries(config.fieldErrors)) for (const message of messages) ctx.addIssue({ code: "custom", path: [path], message });
    checkSecretField(input.connector, input.secret, ctx);
  });

export const replaceSecretSchema = z
  .object({
    tenantId,
    credentialId,
    /** What the form believes the connector is, for the secret's field rules; the store checks the row's own. */
    connector,
    secret,
    expiresAt,
  })
  .superRefine((input, ctx) => checkSecretField(input.connector, input.secret, ctx));

export const deleteCredentialSchema = z.object({ tenantId, credentialId });
export const testConnectionSchema = z.object({ tenantId, credentialId });
