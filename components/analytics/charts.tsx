"use client";
// The dashboard's charts (Recharts). Each gets plain rows from the server;
// the same figures are in the table beside it (components/analytics/dashboard-view.tsx).
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ALERT_SEVERITIES, ALERT_SEVERITY_LABELS, type AlertSeverityName } from "@/lib/alerts/severity";

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

export interface OpenClosedRow {
  day: string;
  created: number;
  closed: number;
  open: number;
}

export function OpenClosedChart({ rows }: { rows: OpenClosedRow[] }) {
  return (
    <div style={{ width: "100%", height: 260 }} data-testid="open-closed-chart" role="img" aria-label="New and closed alerts per day, open at the end of each day">
      <ResponsiveContainer>
        <ComposedChart data={rows} margin={{ left: 0, right: 8, top: 8, bottom: 0 }}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="day" tickFormatter={shortDay} tick={tick} minTickGap={16} />
          <YAxis yAxisId="n" allowDecimals={false} tick={tick} width={40} />
          <YAxis yAxisId="open" orientation="right" allowDecimals={false} tick={tick} width={40} />
          <Tooltip labelFormatter={(d) => shortDay(String(d))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar yAxisId="n" dataKey="created" name="New" fill="var(--color-brand)" isAnimationActive={false} />
          <Bar yAxisId="n" dataKey="closed" name="Closed" fill="#059669" isAnimationActive={false} />
          <Line yAxisId="open" type="monotone" dataKey="open" name="Open at end of day" stroke="#b91c1c" strokeWidth={2} dot={false} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
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
