"use client";
// The state over time as a step line (healthy at the top, down at the
// bottom), from the transitions: a picture of how often and how long the
// tenant was unwell. The table under it says the same in words. Times are in
// `timeZone` (the page's, as the table under it): formatting with an explicit
// zone gives the server's and the browser's render the same text.
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatTime, formatTimeWithZone } from "@/lib/locale/time";

export interface TimelinePoint {
  t: number;
  level: number;
}

const LABELS = ["Down", "Degraded", "Healthy"];

/** `label`: the chart in words (its accessible name); the caption under it names the zone of its axis. */
export function HealthTimeline({ points, label, timeZone }: { points: TimelinePoint[]; label: string; timeZone: string }) {
  // The axis has no room for the zone's name: the caption says it once, the tooltip after each time.
  const tick = (t: number) => formatTime(new Date(t), timeZone, "row");
  const tooltip = (t: number) => formatTimeWithZone(new Date(t), timeZone);
  return (
    <figure>
      <div style={{ width: "100%", height: 180 }} role="img" aria-label={label} data-testid="health-timeline">
        <ResponsiveContainer>
          <LineChart data={points} margin={{ left: 8, right: 24, top: 8, bottom: 8 }}>
            <CartesianGrid stroke="#e2e8f0" />
            <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={tick} tick={{ fontSize: 11, fill: "#475569" }} />
            <YAxis domain={[0, 2]} ticks={[0, 1, 2]} tickFormatter={(v: number) => LABELS[v] ?? ""} width={70} tick={{ fontSize: 11, fill: "#334155" }} />
            <Tooltip labelFormatter={(v) => tooltip(Number(v))} formatter={(v) => [LABELS[Number(v)], "State"]} />
            <Line type="stepAfter" dataKey="level" stroke="#334155" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-1 text-xs text-slate-600" data-testid="health-timeline-zone">
        Times in {timeZone}.
      </figcaption>
    </figure>
  );
}
