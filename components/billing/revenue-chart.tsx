"use client";
// Net finalized revenue per month (credit notes subtracted), one bar series per
// currency: amounts in different currencies are never added together.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

// The brand's primary and accent colours first (the host's theme, lib/branding/color.ts), then fixed ones.
const COLORS = ["var(--color-brand)", "var(--color-brand-accent)", "#b45309", "#be123c"];

export function RevenueChart({ points, currencies, exponents }: { points: { month: string; totals: Record<string, number> }[]; currencies: string[]; exponents: Record<string, number> }) {
  const data = points.map((p) => ({ month: p.month, ...Object.fromEntries(currencies.map((c) => [c, p.totals[c] / 10 ** exponents[c]])) }));
  return (
    <div style={{ width: "100%", height: 240 }} data-testid="revenue-chart" role="img" aria-label={`Net invoiced revenue per month, last 6 months, in ${currencies.join(" and ")}`}>
      <ResponsiveContainer>
        <BarChart data={data} margin={{ left: 8, right: 8, top: 8, bottom: 0 }}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="month" tick={{ fontSize: 11, fill: "#475569" }} />
          <YAxis tick={{ fontSize: 11, fill: "#475569" }} width={72} tickFormatter={(v: number) => v.toLocaleString("en-US")} />
          <Tooltip formatter={(v, name) => [`${String(name)} ${Number(v).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`, String(name)]} cursor={{ fill: "#f1f5f9" }} />
          <Legend />
          {currencies.map((c, i) => (
            <Bar key={c} dataKey={c} fill={COLORS[i % COLORS.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
