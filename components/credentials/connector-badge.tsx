// A connector's small square mark and name, the same in the table and the picker.
import type { ConnectorKind } from "@/drizzle/credentials";

const MARKS: Record<ConnectorKind, { text: string; className: string }> = {
  crowdstrike_falcon: { text: "CS", className: "bg-red-700" },
  sentinelone: { text: "S1", className: "bg-violet-600" },
  microsoft_defender: { text: "MD", className: "bg-sky-700" },
  splunk_hec: { text: "SP", className: "bg-emerald-700" },
  generic_api_key: { text: "API", className: "bg-slate-600 text-[9px]" },
};

export function ConnectorMark({ kind }: { kind: ConnectorKind }) {
  const mark = MARKS[kind];
  return (
    <span aria-hidden className={`grid h-7 w-7 shrink-0 place-items-center rounded-md text-[11px] font-bold tracking-tight text-white ${mark.className}`}>
      {mark.text}
    </span>
  );
}

export function ConnectorBadge({ kind, label }: { kind: ConnectorKind; label: string }) {
  return (
    <span className="inline-flex items-center gap-2 whitespace-nowrap" data-connector={kind}>
      <ConnectorMark kind={kind} />
      <span className="text-sm text-slate-700">{label}</span>
    </span>
  );
}
