// GET /usage: the addressed tenant's metered usage (lib/usage, docs/usage.md):
// this month's totals and the daily totals of a date range, of the tenant's
// subtree (a customer's include its sites). Read under RLS as the key: rows
// exist for keys holding usage:read (migration 20261201012000).
import { z } from "zod";
import { defineEndpoint } from "@/lib/api/endpoint";
import { IngestRefusal } from "@/lib/ingest/errors";
import { problemFor } from "./problems";
import { USAGE_METRICS, METRIC_DEFINITIONS } from "@/lib/usage/metrics";
import { DAY_MS, utcDay } from "@/lib/usage/rollup";
import { monthStart, subtreeDays, subtreeTotals } from "@/lib/usage/read";

const MAX_DAYS = 366;
const day = z
  .string()
  .regex(/^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/, "a UTC day, YYYY-MM-DD")
  // Runs even when the pattern failed (zod 4 keeps checking): an invalid date must not throw.
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
  }, "a day that exists");

const metricValues = z.strictObject(Object.fromEntries(USAGE_METRICS.map((m) => [m, z.number().int().min(0)])) as Record<(typeof USAGE_METRICS)[number], z.ZodNumber>);

const usageSchema = z
  .object({
    tenant: z.string(),
    scope: z.literal("subtree").describe("Totals include the tenant's sites"),
    month: z.string().describe("This month, YYYY-MM (UTC)"),
    this_month: z.record(
      z.enum(USAGE_METRICS),
      z.object({
        kind: z.enum(["counter", "snapshot"]),
        value: z.number().int().min(0).describe("Counter: the month's sum; snapshot: its largest day"),
        peak_day: z.number().int().min(0),
      }),
    ),
    from: z.string(),
    to: z.string(),
    days: z.array(z.object({ day: z.string(), metrics: metricValues })),
  })
  .meta({ title: "Usage" });

export const usageEndpoint = defineEndpoint({
  method: "GET",
  path: "/usage",
  scope: "usage:read",
  tag: "Usage",
  summary: "Read the tenant's usage",
  description:
    "This month's totals per metric and the daily totals of `from`–`to` (UTC days, both included, at most 366; default: this month), " +
    "for the tenant and its sites. Counters (alerts_ingested, api_requests, connector_pulls) are summed; snapshots (assets_managed, " +
    "active_seats, storage_bytes) take the largest reading. Rolled up hourly: the current hour is not in yet.",
  query: z.strictObject({ from: day.optional(), to: day.optional() }),
  success: { status: 200, schema: usageSchema },
  async handle(ctx, { query }) {
    const now = new Date();
    const month = monthStart(now);
    const from = query.from ? new Date(`${query.from}T00:00:00Z`) : month;
    const to = query.to ? new Date(`${query.to}T00:00:00Z`) : utcDay(now);
    // invalid-input is 422 wherever an endpoint refuses (lib/api/endpoints/problems.ts).
    if (to < from) throw problemFor(new IngestRefusal("invalid", "`to` is before `from`."));
    if ((to.getTime() - from.getTime()) / DAY_MS + 1 > MAX_DAYS) throw problemFor(new IngestRefusal("invalid", `A range covers at most ${MAX_DAYS} days.`));
    const before = new Date(to.getTime() + DAY_MS);
    // One after another: both use the request's transaction connection.
    const totals = await subtreeTotals(ctx.tx, [ctx.tenantId], month, new Date(utcDay(now).getTime() + DAY_MS));
    const days = await subtreeDays(ctx.tx, ctx.tenantId, from, before);
    const t = totals.get(ctx.tenantId)!;
    return {
      status: 200,
      body: {
        tenant: ctx.tenantSlug,
        scope: "subtree" as const,
        month: month.toISOString().slice(0, 7),
        this_month: Object.fromEntries(
          USAGE_METRICS.map((m) => [m, { kind: METRIC_DEFINITIONS[m].kind, value: t[m].value, peak_day: t[m].peakDay }]),
        ) as z.infer<typeof usageSchema>["this_month"],
        from: from.toISOString().slice(0, 10),
        to: to.toISOString().slice(0, 10),
        days: days.map((d) => ({ day: d.day, metrics: d.values })),
      },
    };
  },
});
