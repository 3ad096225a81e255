"use client";
// The state over time as a step line (healthy at the top, down at the
// bottom), from the transitions: a picture of how often and how long the
// tenant was unwell. The table under it says the same in words.
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface TimelinePoint {
  t: number;
  level: number;
}

const LABELS = ["Down", "Degraded", "Healthy"];
const fmt = (t: number) => new Date(t).toISOString().slice(5, 16).replace("T", " ");

export function HealthTimeline({ points, label }: { points: TimelinePoint[]; label: string }) {
  return (
    <div style={{ width: "100%", height: 180 }} role="img" aria-label={label} data-testid="health-timeline">
      <ResponsiveContainer>
        <LineChart data={points} margin={{ left: 8, right: 24, top: 8, bottom: 8 }}>
          <CartesianGrid stroke="#e2e8f0" />
          <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={fmt} tick={{ fontSize: 11, fill: "#475569" }} />
          <YAxis domain={[0, 2]} ticks={[0, 1, 2]} tickFormatter={(v: number) => LABELS[v] ?? ""} width={70} tick={{ fontSize: 11, fill: "#334155" }} />
          <Tooltip labelFormatter={(v) => `${fmt(Number(v))} UTC`} formatter={(v) => [LABELS[Number(v)], "State"]} />
          <Line type="stepAfter" dataKey="level" stroke="#334155" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
