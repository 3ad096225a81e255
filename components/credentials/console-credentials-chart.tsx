"use client";
// Credentials per connector, stacked by status: which integrations need
// attention across every customer, at a glance. Each credential is counted
// once: expired before expiring before never used; the rest are healthy.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export const CHART_PARTS = ["expired", "expiring", "unused", "healthy"] as const;
type Part = (typeof CHART_PARTS)[number];

const PARTS: Record<Part, { label: string; color: string }> = {
  expired: { label: "Expired", color: "#dc2626" },
  expiring: { label: "Expiring", color: "#f59e0b" },
  unused: { label: "Never used", color: "#94a3b8" },
  healthy: { label: "Healthy", color: "#10b981" },
};

export type ConnectorChartRow = { name: string } & Record<Part, number>;

const order = (item: { dataKey?: unknown }) => CHART_PARTS.indexOf(item.dataKey as Part);

export function ConsoleCredentialsChart({ rows }: { rows: ConnectorChartRow[] }) {
  const height = Math.max(150, rows.length * 38 + 64);
  return (
    <div style={{ width: "100%", height }} data-testid="credentials-connector-chart">
      <ResponsiveContainer>
        <BarChart data={rows} layout="vertical" margin={{ left: 4, right: 16, top: 4, bottom: 4 }} barCategoryGap={8}>
          <CartesianGrid horizontal={false} stroke="#e2e8f0" />
          <XAxis type="number" domain={[0, "dataMax"]} allowDecimals={false} tick={{ fontSize: 12, fill: "#64748b" }} />
          <YAxis type="category" dataKey="name" width={96} tick={{ fontSize: 12, fill: "#334155" }} />
          <Tooltip cursor={{ fill: "#f1f5f9" }} itemSorter={order} />
          <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={order} />
          {CHART_PARTS.map((p) => (
            <Bar key={p} dataKey={p} stackId="status" fill={PARTS[p].color} name={PARTS[p].label} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
