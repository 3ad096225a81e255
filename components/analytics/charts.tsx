"use client";
// The dashboard's charts (Recharts). Each gets plain rows from the server;
// the same figures are in the table beside it (components/analytics/dashboard-view.tsx).
import { useEffect, useRef, useState } from "react";
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ALERT_SEVERITIES, ALERT_SEVERITY_LABELS, type AlertSeverityName } from "@/lib/alerts/severity";
import { daysPerGroup, groupDays, groupLabel, NARROW_CHART_PX, type OpenClosedBucket, type OpenClosedDay } from "./open-closed-buckets";

export const SEVERITY_COLORS = {
  critical: "#dc2626",
  high: "#f97316",
  medium: "#ca8a04",
  low: "#0284c7",
  info: "#64748b",
} as const satisfies Record<AlertSeverityName, string>;
const tick = { fontSize: 11, fill: "#475569" };
/** "2026-11-30" → "30 Nov". */
const shortDay = (d: string) => {
  const t = new Date(`${d}T00:00:00Z`);
  return `${t.getUTCDate()} ${t.toLocaleString("en", { month: "short", timeZone: "UTC" })}`;
};

export type SeverityDayRow = { day: string } & Record<AlertSeverityName, number>;

export function SeverityTrendChart({ rows, title }: { rows: SeverityDayRow[]; title: string }) {
  return (
    <div style={{ width: "100%", height: 260 }} data-testid="severity-trend-chart" role="img" aria-label={title}>
      <ResponsiveContainer>
        <BarChart data={rows} margin={{ left: 0, right: 8, top: 8, bottom: 0 }}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="day" tickFormatter={shortDay} tick={tick} minTickGap={16} />
          <YAxis allowDecimals={false} tick={tick} width={40} />
          <Tooltip labelFormatter={(d) => shortDay(String(d))} itemSorter={(i) => ALERT_SEVERITIES.indexOf(i.dataKey as AlertSeverityName)} />
          <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={(i) => ALERT_SEVERITIES.indexOf(i.dataKey as AlertSeverityName)} />
          {ALERT_SEVERITIES.map((s) => (
            <Bar key={s} dataKey={s} stackId="sev" fill={SEVERITY_COLORS[s]} name={ALERT_SEVERITY_LABELS[s]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** A chart's width in px once laid out (null before: the server's render and the first paint). */
function useWidth(ref: React.RefObject<HTMLElement | null>): number | null {
  const [width, setWidth] = useState<number | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.round(entry.contentRect.width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

const SERIES = ["created", "closed", "open"];

/** "30 Nov" or, for a group of days, "30 Nov – 6 Dec". */
const span = (b: OpenClosedBucket) => (b.days === 1 ? shortDay(b.day) : `${shortDay(b.day)} – ${shortDay(b.last)}`);

// New and closed are counts per day (or per group of days on a phone: components/analytics/open-closed-buckets.ts);
// open is a level, the alerts still open at the end of the day, on its own axis at the right. Each axis says what
// it counts above it, in words: two unlabeled number scales were a guess.
export function OpenClosedChart({ rows }: { rows: OpenClosedDay[] }) {
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const narrow = width !== null && width < NARROW_CHART_PX;
  const axisPx = narrow ? 34 : 40;
  const size = width === null ? 1 : daysPerGroup(rows.length, width - 2 * axisPx - 8, width);
  const data = groupDays(rows, size);
  const per = groupLabel(size);
  const byStart = new Map(data.map((b) => [b.day, b]));
  const title = size === 1 ? "New and closed alerts per day, open at the end of each day" : `New and closed alerts per ${per}, open at the end of each ${per}`;
  return (
    <div ref={box} data-testid="open-closed-chart-box" data-days-per-bar={size}>
      <div className="flex items-end justify-between gap-3 text-[11px] leading-tight text-slate-600" data-testid="open-closed-axes">
        <span data-testid="open-closed-left-axis">
          <span aria-hidden>← </span>Left axis: new and closed alerts per {per}
        </span>
        <span className="text-right" data-testid="open-closed-right-axis">
          Right axis: alerts still open at the end of each {per}
          <span aria-hidden> →</span>
        </span>
      </div>
      <div style={{ width: "100%", height: narrow ? 240 : 260 }} data-testid="open-closed-chart" role="img" aria-label={title}>
        <ResponsiveContainer>
          <ComposedChart data={data} margin={{ left: 0, right: 8, top: 8, bottom: 0 }} barGap={narrow ? 1 : 4} barCategoryGap={narrow ? "20%" : "10%"}>
            <CartesianGrid vertical={false} stroke="#e2e8f0" />
            <XAxis dataKey="day" tickFormatter={shortDay} tick={tick} minTickGap={narrow ? 8 : 16} />
            <YAxis yAxisId="n" allowDecimals={false} tick={tick} width={axisPx} tickCount={narrow ? 4 : 5} />
            <YAxis yAxisId="open" orientation="right" allowDecimals={false} tick={tick} width={axisPx} tickCount={narrow ? 4 : 5} />
            <Tooltip
              labelFormatter={(d) => {
                const b = byStart.get(String(d));
                return b ? span(b) : shortDay(String(d));
              }}
              itemSorter={(i) => SERIES.indexOf(String(i.dataKey))}
            />
            {/* In the order drawn (new, closed, open), as in the table; not alphabetical. */}
            <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
            <Bar yAxisId="n" dataKey="created" name="New" fill="var(--color-brand)" isAnimationActive={false} />
            <Bar yAxisId="n" dataKey="closed" name="Closed" fill="#059669" isAnimationActive={false} />
            <Line yAxisId="open" type="monotone" dataKey="open" name={`Open at end of ${per}`} stroke="#b91c1c" strokeWidth={2} dot={false} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      {size > 1 && (
        <p className="mt-1 text-xs text-slate-600" data-testid="open-closed-grouped">
          To fit this screen each pair of bars adds up {size} days, starting on the date under it (the last pair may hold fewer); the table below has every day.
        </p>
      )}
    </div>
  );
}

export interface ResponseDayRow {
  day: string;
  /** Minutes, null when nothing was acknowledged that day. */
  mttaMinutes: number | null;
  /** Hours, null when nothing was closed that day. */
  mttrHours: number | null;
}

// Acknowledging takes minutes and resolving takes hours or days: on one axis the MTTA line lay flat
// at zero, so each has its own (MTTA on the left in minutes, MTTR on the right in hours).
export function ResponseTimesChart({ rows }: { rows: ResponseDayRow[] }) {
  return (
    <div style={{ width: "100%", height: 260 }} data-testid="response-times-chart" role="img" aria-label="Mean time to acknowledge per day in minutes, and to resolve in hours">
      <ResponsiveContainer>
        <LineChart data={rows} margin={{ left: 0, right: 8, top: 8, bottom: 0 }}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="day" tickFormatter={shortDay} tick={tick} minTickGap={16} />
          <YAxis yAxisId="mtta" tick={tick} width={64} unit=" min" allowDecimals={false} />
          <YAxis yAxisId="mttr" orientation="right" tick={tick} width={44} unit=" h" allowDecimals={false} />
          <Tooltip
            labelFormatter={(d) => shortDay(String(d))}
            formatter={(v, _name, item) => (typeof v !== "number" ? "—" : item.dataKey === "mttaMinutes" ? `${v.toFixed(1)} min` : `${v.toFixed(1)} h`)}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Line yAxisId="mtta" type="monotone" dataKey="mttaMinutes" name="MTTA (minutes, left)" stroke="#7c3aed" strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
          <Line yAxisId="mttr" type="monotone" dataKey="mttrHours" name="MTTR (hours, right)" stroke="#0f766e" strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
