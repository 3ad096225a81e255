// SLA clocks as badges: green while running or met, red once breached, grey
// when the time was never recorded. Text says it all (colour is a hint only).
import { describeClock, formatDuration, type SlaClock, type SlaClocks } from "@/lib/alerts/sla";

const TONE: Record<SlaClock["state"], string> = {
  running: "bg-sky-50 text-sky-800 ring-sky-200",
  met: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  breached: "bg-red-100 text-red-800 ring-red-300",
  unrecorded: "bg-slate-100 text-slate-600 ring-slate-200",
};

export function SlaBadges({ sla }: { sla: SlaClocks | null }) {
  if (!sla) return <p className="text-sm text-slate-500">No SLA for informational alerts.</p>;
  return (
    <ul className="flex flex-col gap-2" aria-label="SLA clocks" data-testid="sla-badges">
      {(["acknowledge", "resolve"] as const).map((kind) => (
        <li key={kind} data-testid={`sla-${kind}`} data-state={sla[kind].state} className={`rounded-lg px-3 py-2 text-sm ring-1 ${TONE[sla[kind].state]}`}>
          {sla[kind].state === "breached" && <span className="mr-1 font-semibold uppercase tracking-wide">Breached ·</span>}
          {describeClock(kind, sla[kind])}
        </li>
      ))}
    </ul>
  );
}

/**
 * The list's compact badge, decided on the server (it depends on "now"): only
 * what needs attention (breached, or the nearer running clock). A small value,
 * because the alert table is a client component and this goes out in its props.
 */
export type SlaCellValue = null | "met" | "unrecorded" | { breached: "ack" | "resolve" } | { left: string };

export function slaCellValue(sla: SlaClocks | null): SlaCellValue {
  if (!sla) return null;
  if (sla.breached) return { breached: sla.acknowledge.state === "breached" ? "ack" : "resolve" };
  const running = sla.acknowledge.state === "running" ? sla.acknowledge : sla.resolve.state === "running" ? sla.resolve : null;
  if (running) return { left: formatDuration(running.remainingMs) };
  // A clock whose stop time was never recorded says nothing about the SLA: not "met" (the detail page says "time not recorded").
  if (sla.acknowledge.state === "unrecorded" || sla.resolve.state === "unrecorded") return "unrecorded";
  return "met";
}

export function SlaCell({ cell }: { cell: SlaCellValue }) {
  if (cell === null) return <span className="text-xs text-slate-500">—</span>;
  if (cell === "met") return <span className="text-xs text-emerald-700">Met</span>;
  if (cell === "unrecorded") {
    return (
      <span data-testid="sla-unrecorded" className="text-xs text-slate-500" title="SLA time not recorded">
        <span aria-hidden="true">—</span>
        <span className="sr-only">SLA time not recorded</span>
      </span>
    );
  }
  if ("breached" in cell) {
    return (
      <span data-testid="sla-breached" className="inline-flex whitespace-nowrap rounded-full bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-800 ring-1 ring-red-300">
        SLA breached ({cell.breached})
      </span>
    );
  }
  return <span className="whitespace-nowrap text-xs text-slate-600">{cell.left} left</span>;
}
