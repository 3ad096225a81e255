// A health state as colour AND text AND a shape (never colour alone: WCAG 1.4.1).
import type { HealthState, Level } from "@/lib/health/signals";

const STATE: Record<HealthState | "unknown", { label: string; icon: string; tone: string }> = {
  down: { label: "Down", icon: "✕", tone: "bg-red-100 text-red-800 ring-red-300" },
  degraded: { label: "Degraded", icon: "▲", tone: "bg-amber-100 text-amber-900 ring-amber-300" },
  healthy: { label: "Healthy", icon: "●", tone: "bg-emerald-100 text-emerald-800 ring-emerald-300" },
  unknown: { label: "Not evaluated yet", icon: "○", tone: "bg-slate-100 text-slate-700 ring-slate-300" },
};

export const STATE_BORDER: Record<HealthState | "unknown", string> = {
  down: "border-l-red-600",
  degraded: "border-l-amber-500",
  healthy: "border-l-emerald-600",
  unknown: "border-l-slate-400",
};

export function StateBadge({ state, testId }: { state: HealthState | null; testId?: string }) {
  const s = STATE[state ?? "unknown"];
  return (
    <span data-testid={testId} data-state={state ?? "unknown"} className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ${s.tone}`}>
      <span aria-hidden="true">{s.icon}</span>
      {s.label}
    </span>
  );
}

const LEVEL: Record<Level, { label: string; tone: string }> = {
  critical: { label: "Critical", tone: "text-red-800" },
  warn: { label: "Warning", tone: "text-amber-900" },
  ok: { label: "OK", tone: "text-emerald-800" },
};

export function LevelText({ level }: { level: Level }) {
  return <span className={`text-xs font-semibold ${LEVEL[level].tone}`}>{LEVEL[level].label}</span>;
}
