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
  /** Hours, null when nothing was acknowledged/closed that day. */
  mtta: number | null;
  mttr: number | null;
}

export function ResponseTimesChart({ rows }: { rows: ResponseDayRow[] }) {
  return (
    <div style={{ width: "100%", height: 260 }} data-testid="response-times-chart" role="img" aria-label="Mean time to acknowledge and to resolve per day, in hours">
      <ResponsiveContainer>
        <LineChart data={rows} margin={{ left: 0, right: 8, top: 8, bottom: 0 }}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="day" tickFormatter={shortDay} tick={tick} minTickGap={16} />
          <YAxis tick={tick} width={40} unit=" h" />
          <Tooltip labelFormatter={(d) => shortDay(String(d))} formatter={(v) => (typeof v === "number" ? `${v.toFixed(1)} h` : "—")} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Line type="monotone" dataKey="mtta" name="MTTA" stroke="#7c3aed" strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
          <Line type="monotone" dataKey="mttr" name="MTTR" stroke="#0f766e" strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
