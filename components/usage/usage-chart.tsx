"use client";
// One metric over the last 30 days: bars per UTC day (a counter's daily total,
// a snapshot's daily peak). Small multiples, one per metric, read faster than
// six lines on one axis whose units differ (alerts, bytes, seats).
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export function UsageChart({ label, points, bytes }: { label: string; points: { day: string; value: number }[]; bytes: boolean }) {
  const fmt = (v: number) => (bytes ? `${Math.round(v / 1024 / 1024).toLocaleString("en-US")} MiB` : v.toLocaleString("en-US"));
  return (
    <div style={{ width: "100%", height: 140 }} data-testid="usage-chart" role="img" aria-label={`${label}, last 30 days`}>
      <ResponsiveContainer>
        <BarChart data={points} margin={{ left: 4, right: 8, top: 8, bottom: 0 }}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} tick={{ fontSize: 10, fill: "#64748b" }} interval={6} />
          <YAxis tickFormatter={fmt} width={bytes ? 76 : 48} tick={{ fontSize: 10, fill: "#64748b" }} allowDecimals={false} />
          <Tooltip formatter={(v) => [fmt(Number(v)), label]} cursor={{ fill: "#f1f5f9" }} />
          <Bar dataKey="value" fill="var(--color-brand)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
