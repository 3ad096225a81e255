// What the console's /bulk and /bulk/<id> pages show, read under the caller's
// RLS with the PDP asked for bulk:run on the MSSP (the pages render nothing
// for anyone else: forbidden()).
import { z } from "zod";
import { permissions } from "@/lib/authz";
import { listPlans } from "@/lib/billing";
import type { TenantTx } from "@/lib/db/with-tenant";
import { viewerTimeZone } from "@/lib/locale/viewer-zone";
import { SETTINGS } from "@/lib/settings";
import { typedPastList } from "@/lib/tenancy/tenant-filter";
import { choiceSchema, pageSchema, parseListQuery } from "@/lib/url/list-query";
import { selectionRoots } from "./select";
import { emptyCounts, ITEM_STATUSES, ITEM_STATUS_LABELS, UNDO, type ItemStatus, type Operation, type OperationParams, type RunCounts, type RunStatus } from "./model";

export const ITEMS_PAGE_SIZE = 100;

const msspOf = (tx: TenantTx): string | null => tx.claims.tenants.find((m) => m.kind === "mssp")?.tenant_id ?? null;

export interface RunSummary {
  id: string;
  operation: Operation;
  status: RunStatus;
  total: number;
  /** What the page shows of the run's note (shownNote): none once it ended. */
  note: string | null;
  selectionWords: string;
  createdAt: string;
  createdBy: string | null;
  counts: RunCounts;
  /** Its undo was asked for: paused now, it was paused during its undo (Continue carries on with the undo). */
  undoStarted: boolean;
}

export interface BulkHomeData {
  mssp: { id: string; name: string };
  /** Where a selection may start (the MSSP, its customers), up to TENANT_SELECT_UP_TO; past that none (the wizard takes a name). */
  roots: { id: string; name: string; kind: string }[];
  /** How many there are. */
  rootCount: number;
  plans: { id: string; name: string; currency: string }[];
  settings: { key: string; label: string; group: string; bounds: string }[];
  runs: RunSummary[];
  /** The zone the runs' times are shown in: the MSSP's locale.time_zone (a console page). */
  timeZone: string;
}

type CountRow = { run_id: string; status: ItemStatus; n: number };

function countsOf(rows: CountRow[], runId: string): RunCounts {
  const c = emptyCounts();
  const key: Record<ItemStatus, keyof RunCounts> = { pending: "pending", done: "done", skipped: "skipped", failed: "failed", undone: "undone", undo_failed: "undoFailed", undo_skipped: "undoSkipped" };
  for (const r of rows) if (r.run_id === runId) c[key[r.status]] += r.n;
  return c;
}

type RunRow = {
  id: string;
  operation: Operation;
  status: RunStatus;
  total: number;
  note: string | null;
  selection: { words?: string };
  created_at: Date;
  created_by_name: string | null;
  params: OperationParams;
  canary: number | null;
  canary_passed: boolean;
  undo_started: boolean;
  acting_by_name: string | null;
};

const RUN_SQL = `select r.id, r.operation, r.status, r.total, r.note, r.selection, r.created_at, r.params, r.canary, r.canary_passed,
                        r.undo_at is not null as undo_started,
                        coalesce(u.name, u.email) as created_by_name, coalesce(a.name, a.email) as acting_by_name
                   from public.bulk_runs r left join public.users u on u.id = r.created_by left join public.users a on a.id = r.acting_by`;

async function counts(tx: TenantTx, msspId: string, ids: string[]): Promise<CountRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await tx.client.query<CountRow>(
    "select run_id, status, count(*)::int as n from public.bulk_run_items where tenant_id = $1 and run_id = any($2::uuid[]) group by run_id, status",
    [msspId, ids],
  );
  return rows;
}

/**
 * The note the page shows: the dry run's summary, why a run paused or stopped. A run's end
 * note (lib/bulk/execute.ts) is its final counts ("3 done"), which the counts line shows
 * already: kept in the row and the audit, not shown twice.
 */
export const shownNote = (status: RunStatus, note: string | null): string | null => (status === "finished" || status === "undone" ? null : note);

const summaryOf = (r: RunRow, c: CountRow[]): RunSummary => ({
  id: r.id,
  operation: r.operation,
  status: r.status,
  total: r.total,
  note: shownNote(r.status, r.note),
  selectionWords: r.selection.words ?? "",
  createdAt: new Date(r.created_at).toISOString(),
  createdBy: r.created_by_name,
  counts: countsOf(c, r.id),
  undoStarted: r.undo_started,
});

/** The wizard's choices and the recent runs; null when the caller may not run bulk operations. */
export async function loadBulkHome(tx: TenantTx): Promise<BulkHomeData | null> {
  const msspId = msspOf(tx);
  if (!msspId) return null;
  if (!(await permissions(tx, ["bulk:run"], msspId))["bulk:run"]) return null;
  const roots = await selectionRoots(tx, msspId);
  const plans = await listPlans(tx, msspId);
  const { rows: runs } = await tx.client.query<RunRow>(`${RUN_SQL} where r.tenant_id = $1 and r.status <> 'discarded' order by r.created_at desc limit 20`, [msspId]);
  const c = await counts(tx, msspId, runs.map((r) => r.id));
  return {
    mssp: { id: msspId, name: roots.find((r) => r.id === msspId)?.name ?? "" },
    roots: typedPastList(roots.length) ? [] : roots.map((r) => ({ id: r.id, name: r.name, kind: r.kind })),
    rootCount: roots.length,
    plans: plans.map((p) => ({ id: p.id, name: p.name, currency: p.currency })),
    settings: SETTINGS.map((s) => ({ key: s.key, label: s.label, group: s.group, bounds: s.bounds })),
    runs: runs.map((r) => summaryOf(r, c)),
    timeZone: await viewerTimeZone(tx, msspId),
  };
}

export interface RunItemView {
  targetId: string;
  name: string;
  status: ItemStatus;
  planned: string;
  message: string | null;
}

export interface RunPageData {
  msspId: string;
  run: RunSummary & {
    params: OperationParams;
    canary: number | null;
    canaryPassed: boolean;
    undo: true | string;
    /** Whose rights the worker uses (the starter, then whoever continued it or asked for its undo); null when not visible or none. */
    actingBy: string | null;
  };
  items: RunItemView[];
  page: number;
  pages: number;
  /** Items matching the filter. */
  matching: number;
  filter: ItemStatus | "all";
  problems: string[];
  /** The zone the run's times are shown in: the MSSP's locale.time_zone (a console page). */
  timeZone: string;
}

export interface RunQuery {
  page: number;
  status: ItemStatus | "all";
}

export function parseRunQuery(params: Record<string, string | string[] | undefined>) {
  return parseListQuery<RunQuery>(
    params,
    { page: pageSchema, status: choiceSchema(["all", ...ITEM_STATUSES] as const, (v) => (v === "all" ? "all" : ITEM_STATUS_LABELS[v as ItemStatus])) },
    { page: "page", status: "status filter" },
    { page: 1, status: "all" },
  );
}

export const runIdSchema = z.string().uuid();

/** One run with a page of its items; null when not visible (or not allowed). */
export async function loadRunPage(tx: TenantTx, runId: string, params: Record<string, string | string[] | undefined>): Promise<RunPageData | null> {
  const msspId = msspOf(tx);
  if (!msspId || !runIdSchema.safeParse(runId).success) return null;
  if (!(await permissions(tx, ["bulk:run"], msspId))["bulk:run"]) return null;
  const { rows } = await tx.client.query<RunRow>(`${RUN_SQL} where r.tenant_id = $1 and r.id = $2`, [msspId, runId]);
  if (!rows[0]) return null;
  const { query, problems } = parseRunQuery(params);
  const c = await counts(tx, msspId, [runId]);
  const summary = summaryOf(rows[0], c);
  const matching = query.status === "all" ? summary.total : c.filter((r) => r.status === query.status).reduce((a, r) => a + r.n, 0);
  const pages = Math.max(1, Math.ceil(matching / ITEMS_PAGE_SIZE));
  const page = Math.min(query.page, pages);
  const { rows: items } = await tx.client.query<{ target_tenant_id: string; target_name: string; status: ItemStatus; planned: string; message: string | null }>(
    `select target_tenant_id, target_name, status, planned, message from public.bulk_run_items
      where tenant_id = $1 and run_id = $2 and ($3 = 'all' or status = $3)
      order by position limit $4 offset $5`,
    [msspId, runId, query.status, ITEMS_PAGE_SIZE, (page - 1) * ITEMS_PAGE_SIZE],
  );
  return {
    msspId,
    run: { ...summary, params: rows[0].params, canary: rows[0].canary, canaryPassed: rows[0].canary_passed, undo: UNDO[summary.operation], actingBy: rows[0].acting_by_name },
    items: items.map((i) => ({ targetId: i.target_tenant_id, name: i.target_name, status: i.status, planned: i.planned, message: i.message })),
    page,
    pages,
    matching,
    filter: query.status,
    problems,
    timeZone: await viewerTimeZone(tx, msspId),
  };
}
