"use client";
// Open alerts per customer, stacked by severity: the question an operator
// asks first each morning is "who is on fire", and bars answer it at a glance.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ALERT_SEVERITIES, ALERT_SEVERITY_LABELS, type AlertSeverityName } from "@/lib/alerts/severity";

const COLORS: Record<AlertSeverityName, string> = {
  critical: "#dc2626",
  high: "#f97316",
  medium: "#eab308",
  low: "#0ea5e9",
  info: "#94a3b8",
};

export type ChartRow = { name: string } & Record<AlertSeverityName, number>;

export function OpenAlertsChart({ rows }: { rows: ChartRow[] }) {
  const height = Math.max(160, rows.length * 44 + 60);
  return (
    <div style={{ width: "100%", height }} data-testid="open-alerts-chart">
      <ResponsiveContainer>
        <BarChart data={rows} layout="vertical" margin={{ left: 8, right: 24, top: 8, bottom: 8 }}>
          <CartesianGrid horizontal={false} stroke="#e2e8f0" />
          <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12, fill: "#64748b" }} />
          <YAxis type="category" dataKey="name" width={130} tick={{ fontSize: 12, fill: "#334155" }} />
          <Tooltip cursor={{ fill: "#f1f5f9" }} itemSorter={(item) => ALERT_SEVERITIES.indexOf(item.dataKey as AlertSeverityName)} />
          <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={(item) => ALERT_SEVERITIES.indexOf(item.dataKey as AlertSeverityName)} />
          {ALERT_SEVERITIES.map((s) => (
            <Bar key={s} dataKey={s} stackId="open" fill={COLORS[s]} name={ALERT_SEVERITY_LABELS[s]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
