// Form shapes of the bulk run actions (console /bulk). A malformed form gets
// field messages and touches nothing; whether the setting, value or plan
// exists and whether the selection holds 1 to 10,000 tenants are rules
// (lib/bulk): refused with a message, audited as denied, nothing changed.
import { z } from "zod";
import { KIND_FILTERS, OPERATIONS, STATUS_FILTERS } from "@/lib/bulk/model";

const tenantId = z.string().uuid();
const runId = z.string().uuid("Pick a bulk run.");

export const planRunSchema = z.object({
  tenantId,
  rootId: z.string().uuid("Choose where the selection starts."),
  kinds: z.enum(KIND_FILTERS).default("all"),
  status: z.enum(STATUS_FILTERS).default("any"),
  plan: z.union([z.literal(""), z.literal("none"), z.string().uuid("Not a plan.")]).default(""),
  q: z.string().trim().max(100, "At most 100 characters.").default(""),
  operation: z.enum(OPERATIONS, { error: "Choose an operation." }),
  key: z.string().max(100, "Not a setting name.").default(""),
  mode: z.enum(["set", "inherit"]).default("set"),
  value: z.string().max(4000, "At most 4,000 characters.").default(""),
  planId: z.string().max(40).default(""),
  from: z.string().max(10).default(""),
  reason: z.string().max(300, "At most 300 characters.").default(""),
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
