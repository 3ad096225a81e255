// Bulk operations: the vocabulary (operations, statuses, labels) and the
// shapes of a selection and of each operation's parameters, checked with zod.
// Pure data: pages and components import their labels from here.
import { z } from "zod";

/** A canary of n tenants, in words: "the first tenant", "the first 3 tenants" (the run page, the engine's note). */
export const canaryWords = (n: number): string => (n === 1 ? "the first tenant" : `the first ${n} tenants`);

/** Most tenants one run may cover. */
export const MAX_TENANTS = 10_000;
/** Items applied between two progress reports and stop checks of the worker. */
export const BATCH_SIZE = 20;

export const OPERATIONS = ["setting", "plan", "rotate_keys", "suspend", "resume", "report"] as const;
export type Operation = (typeof OPERATIONS)[number];

export const OPERATION_LABELS: Record<Operation, string> = {
  setting: "Change a setting",
  plan: "Assign a billing plan",
  rotate_keys: "Rotate data keys",
  suspend: "Suspend",
  resume: "Resume",
  report: "Run a report",
};

/** Whether a finished run of this operation can be undone, and if not, why. */
export const UNDO: Record<Operation, true | string> = {
  setting: true,
  plan: true,
  rotate_keys: "A key rotation cannot be undone: the old key version is retired once every credential is re-sealed under the new one.",
  suspend: true,
  resume: true,
  report: "A report changes nothing to undo: it is generated and kept in each tenant's Reports.",
};

export const RUN_STATUSES = ["planned", "running", "paused", "finished", "undoing", "undone", "discarded"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  planned: "Dry run: waiting for confirmation",
  running: "Running",
  paused: "Paused",
  finished: "Finished",
  undoing: "Undoing",
  undone: "Undone",
  discarded: "Discarded",
};
/** The label of a run's status; a run paused during its undo says so (Continue carries on with the undo). */
export const runStatusLabel = (status: RunStatus, undoStarted: boolean): string => (status === "paused" && undoStarted ? "Undo paused" : RUN_STATUS_LABELS[status]);

export const ITEM_STATUSES = ["pending", "done", "skipped", "failed", "undone", "undo_failed", "undo_skipped"] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
export const ITEM_STATUS_LABELS: Record<ItemStatus, string> = {
  pending: "Pending",
  done: "Done",
  skipped: "Skipped",
  failed: "Failed",
  undone: "Undone",
  undo_failed: "Undo failed",
  undo_skipped: "Not undone",
};

// ---------------------------------------------------------------------------
// Selection
// ---------------------------------------------------------------------------

export const KIND_FILTERS = ["customers", "sites", "all"] as const;
export type KindFilter = (typeof KIND_FILTERS)[number];
export const KIND_FILTER_LABELS: Record<KindFilter, string> = { customers: "Customers", sites: "Sites", all: "Customers and sites" };

export const STATUS_FILTERS = ["any", "active", "suspended"] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

const uuid = z.string().uuid();

export const selectionSchema = z.object({
  /** The subtree: every customer and site below this tenant (itself included unless it is an MSSP). */
  rootId: uuid,
  kinds: z.enum(KIND_FILTERS).default("all"),
  status: z.enum(STATUS_FILTERS).default("any"),
  /** "" any plan, "none" no plan this month, or a plan id (a site follows its customer's plan). */
  plan: z.union([z.literal(""), z.literal("none"), uuid]).default(""),
  /** Name or slug contains. */
  q: z.string().trim().max(100, "At most 100 characters.").default(""),
});
export type Selection = z.infer<typeof selectionSchema>;

// ---------------------------------------------------------------------------
// Operations' parameters
// ---------------------------------------------------------------------------

const settingKey = z
  .string({ error: "Choose a setting." })
  .max(100, "Not a setting name.")
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, "Not a setting name.");

export const operationSchema = z.discriminatedUnion("operation", [
  z.object({
    operation: z.literal("setting"),
    key: settingKey,
    /** "set": this value here; "inherit": remove the tenant's own value. */
    mode: z.enum(["set", "inherit"]).default("set"),
    value: z.string().max(4000, "At most 4,000 characters.").default(""),
  }),
  z.object({
    operation: z.literal("plan"),
    planId: uuid.or(z.literal("")).refine((v) => v !== "", "Choose a billing plan."),
    from: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "A month is YYYY-MM."),
  }),
  z.object({ operation: z.literal("rotate_keys") }),
  z.object({ operation: z.literal("suspend"), reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(300, "At most 300 characters.") }),
  z.object({ operation: z.literal("resume") }),
  z.object({
    operation: z.literal("report"),
    kind: z.enum(["executive", "operational"], { error: "Choose executive or operational." }),
    format: z.enum(["pdf", "csv"], { error: "Choose PDF or CSV." }),
    from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "A day is YYYY-MM-DD."),
    to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "A day is YYYY-MM-DD."),
  }),
]);
export type OperationParams = z.infer<typeof operationSchema>;

/** The form of a dry run: where, which tenants, which change. */
export function planFormSchema() {
  return z.object({ tenantId: uuid }).passthrough();
}

export interface RunCounts {
  pending: number;
  done: number;
  skipped: number;
  failed: number;
  undone: number;
  undoFailed: number;
  undoSkipped: number;
}

export const emptyCounts = (): RunCounts => ({ pending: 0, done: 0, skipped: 0, failed: 0, undone: 0, undoFailed: 0, undoSkipped: 0 });
