"use client";
// One metric, the compared customers side by side: a horizontal bar each, and
// a dashed line at the median of every customer the caller may compare. Small
// multiples (one chart per metric), since the units differ (per asset,
// minutes, %).
import { Bar, BarChart, CartesianGrid, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface CompareChartProps {
  label: string;
  /** What the value axis counts in ("minutes"), under the chart. */
  axisUnit: string;
  points: { name: string; value: number | null; shown: string }[];
  median: number | null;
  medianShown: string;
}

export function CompareChart({ label, axisUnit, points, median, medianShown }: CompareChartProps) {
  const data = points.map((p) => ({ name: p.name, value: p.value ?? 0, shown: p.shown }));
  const height = Math.max(120, points.length * 30 + 50);
  const summary = `${label}: ${points.map((p) => `${p.name} ${p.shown}`).join(", ")}; median of all customers ${medianShown}`;
  return (
    <figure>
      <div style={{ width: "100%", height }} role="img" aria-label={summary} data-testid="compare-chart">
        <ResponsiveContainer>
          <BarChart data={data} layout="vertical" margin={{ left: 4, right: 16, top: 4, bottom: 4 }}>
            <CartesianGrid horizontal={false} stroke="#e2e8f0" />
            <XAxis type="number" tick={{ fontSize: 11, fill: "#475569" }} allowDecimals />
            <YAxis type="category" dataKey="name" width={110} tick={{ fontSize: 11, fill: "#334155" }} />
            <Tooltip cursor={{ fill: "#f1f5f9" }} formatter={(_v, _n, item) => [(item?.payload as { shown: string }).shown, label]} />
            {median !== null && <ReferenceLine x={median} stroke="#334155" strokeDasharray="4 3" />}
            <Bar dataKey="value" fill="var(--color-brand)" isAnimationActive={false} barSize={16} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-1 text-xs text-slate-600" data-testid="compare-chart-unit">
        Bars in {axisUnit}{median !== null ? `; dashed line: the median of every customer (${medianShown})` : ""}
      </figcaption>
    </figure>
  );
}
