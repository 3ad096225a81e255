// Form shapes of the bulk run actions (console /bulk). A malformed form gets
// field messages and touches nothing; whether the setting, value or plan
// exists and whether the selection holds 1 to 10,000 tenants are rules
// (lib/bulk): refused with a message, audited as denied, nothing changed.
import { z } from "zod";
import { KIND_FILTERS, OPERATIONS, STATUS_FILTERS } from "@/lib/bulk/model";

const tenantId = z.string().uuid();
/** No control characters (a NUL cannot even be stored); line breaks and tabs allowed where `lines`. */
const text = (max: number, lines = false) =>
  z
    .string()
    .max(max, `At most ${max.toLocaleString("en-US")} characters.`)
    .refine((v) => !(lines ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/ : /[\u0000-\u001f\u007f]/).test(v), "Remove the control characters.");
const runId = z.string().uuid("Pick a bulk run.");

export const planRunSchema = z.object({
  tenantId,
  /** A tenant id (the list), empty for every customer, or a customer's name or slug typed (lib/bulk/select.ts selectionRootOf). */
  rootId: text(100)
    .default("")
    .transform((v) => v.trim()),
  kinds: z.enum(KIND_FILTERS).default("all"),
  status: z.enum(STATUS_FILTERS).default("any"),
  plan: z.union([z.literal(""), z.literal("none"), z.string().uuid("Not a plan.")]).default(""),
  q: text(100).default("").transform((v) => v.trim()),
  operation: z.enum(OPERATIONS, { error: "Choose an operation." }),
  key: text(100).default(""),
  mode: z.enum(["set", "inherit"]).default("set"),
  value: text(4000, true).default(""),
  planId: text(40).default(""),
  from: text(10).default(""),
  reason: text(300).default(""),
  kind: text(20).default(""),
  format: text(10).default(""),
  to: text(10).default(""),
});

export const startRunSchema = z.object({
  tenantId,
  runId,
  confirm: z.coerce.number({ error: "Type the number of tenants that will change." }).int("A whole number.").min(0).max(10_000),
  canary: z
    .string()
    .trim()
    .default("")
    .refine((v) => v === "" || /^\d{1,5}$/.test(v), "A whole number of tenants, or empty for no canary.")
    .transform((v) => (v === "" || v === "0" ? null : Number(v))),
});

export const runRefSchema = z.object({ tenantId, runId });
