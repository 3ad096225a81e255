// Where an effective value comes from: Default / Inherited from X / Set here /
// Locked by X (who), and "locked for the tenants below" when locked here.
import type { SettingRow } from "@/lib/settings/page-data";

const base = "inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1";

/** A padlock drawn in SVG (an emoji depends on the system's fonts). */
export function LockIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" className="h-3 w-3 shrink-0" fill="currentColor">
      <path d="M8 1a3.5 3.5 0 0 0-3.5 3.5V7H4a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1V8a1 1 0 0 0-1-1h-.5V4.5A3.5 3.5 0 0 0 8 1Zm2 6H6V4.5a2 2 0 1 1 4 0V7Z" />
    </svg>
  );
}

export function SourceBadge({ row }: { row: Pick<SettingRow, "source" | "sourceName" | "lockedBy" | "lockedHere"> }) {
  if (row.lockedBy) {
    // "who" is empty where the locker is hidden (your provider, lib/branding/mask.ts).
    const lockedBy = row.lockedBy.who ? `${row.lockedBy.tenantName} (${row.lockedBy.who})` : row.lockedBy.tenantName;
    return (
      <span className={`${base} bg-amber-50 text-amber-900 ring-amber-300`} data-testid="source-badge" data-source="locked" title={`Locked by ${lockedBy}: it cannot be changed here.`}>
        <LockIcon /> Locked by {lockedBy}
      </span>
    );
  }
  if (row.source === "here") {
    return (
      <span className="inline-flex flex-wrap items-center gap-1">
        <span className={`${base} bg-indigo-50 text-indigo-800 ring-indigo-200`} data-testid="source-badge" data-source="here">
          Set here
        </span>
        {row.lockedHere && (
          <span className={`${base} bg-slate-100 text-slate-700 ring-slate-300`} data-testid="locked-here" title="The tenants below take this value and cannot change it.">
            <LockIcon /> Locked for the tenants below
          </span>
        )}
      </span>
    );
  }
  if (row.source === "inherited") {
    return (
      <span className={`${base} bg-sky-50 text-sky-800 ring-sky-200`} data-testid="source-badge" data-source="inherited">
        Inherited from {row.sourceName}
      </span>
    );
  }
  return (
    <span className={`${base} bg-slate-50 text-slate-600 ring-slate-200`} data-testid="source-badge" data-source="default">
      Default
    </span>
  );
}
