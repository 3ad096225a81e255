"use client";
// One tenant's row: its data key version, credentials per key version, last
// rotation and rotate control. The row reads itself from the live cache
// (components/keys/live.ts), so a finished rotation updates this row alone.
import type { KeysTenantRow } from "@/lib/vault/rotation-page";
import { formatDateTimeParts } from "./format";
import { useKeyRow } from "./live";
import { RotateDekControl } from "./rotate-dek-control";

const KIND_STYLES: Record<string, string> = {
  mssp: "bg-indigo-100 text-indigo-700",
  customer: "bg-emerald-100 text-emerald-700",
  site: "bg-slate-100 text-slate-600",
};

function KeyCell({ row }: { row: KeysTenantRow }) {
  if (row.destroyed) {
    return (
      <span className="rounded bg-red-100 px-1.5 py-0.5 text-xs font-semibold text-red-800" title="Crypto-shredded: its credentials can no longer be opened">
        destroyed
      </span>
    );
  }
  if (!row.active) return <span className="text-xs text-amber-800">no active key</span>;
  return (
    <div className="flex flex-wrap items-center gap-1.5">
      <span className="font-semibold tabular-nums text-slate-900" data-testid="dek-version">
        v{row.active.version}
      </span>
      <span className="rounded-full bg-emerald-50 px-2 py-0.5 text-[11px] font-semibold text-emerald-800 ring-1 ring-emerald-200">active</span>
      {row.retiring.map((v) => (
        <span
          key={v.version}
          className="rounded-full bg-amber-50 px-2 py-0.5 text-[11px] font-semibold text-amber-900 ring-1 ring-amber-200"
          title="Still opens credentials a rotation has not re-sealed yet"
        >
          v{v.version} retiring
        </span>
      ))}
    </div>
  );
}

function CredentialsCell({ row }: { row: KeysTenantRow }) {
  if (row.credentialsTotal === 0) return <span className="text-slate-500">0</span>;
  const mixed = row.credentials.length > 1;
  return (
    <div>
      <span className="font-medium tabular-nums text-slate-900">{row.credentialsTotal}</span>
      {mixed && (
        <span className="ml-2 text-xs text-slate-500">{row.credentials.map((c) => `${c.count} on v${c.version}`).join(" · ")}</span>
      )}
    </div>
  );
}

/**
 * A moment in a narrow cell: "06 Dec 2026, 20:52 UTC" on one line where the column is wide, the day
 * and the time on a line each on a phone (each part kept whole: it wrapped to five lines before).
 */
function When({ iso, timeZone, prefix }: { iso: string; timeZone: string; prefix?: string }) {
  const { day, time } = formatDateTimeParts(iso, timeZone);
  return (
    <time dateTime={iso}>
      <span className="whitespace-nowrap">
        {prefix}
        {day},
      </span>{" "}
      <span className="whitespace-nowrap">{time}</span>
    </time>
  );
}

/** `showParent`: the row's parent is not the row above it (a search, a filter or a page break), so name it. `timeZone`: the page's. */
export function KeyRow({ initial, showParent, timeZone }: { initial: KeysTenantRow; showParent: boolean; timeZone: string }) {
  const row = useKeyRow(initial);
  return (
    <tr className="align-top hover:bg-slate-50" data-testid={`keys-row-${row.slug}`}>
      <td className="px-4 py-3">
        <div className="flex items-center gap-2" style={{ paddingLeft: row.depth * 20 }}>
          {row.depth > 0 && (
            <span aria-hidden className="text-slate-300">
              └
            </span>
          )}
          <span className="font-medium text-slate-800">{row.name}</span>
          <span className={`rounded px-1.5 py-0.5 text-[10px] font-semibold uppercase ${KIND_STYLES[row.kind]}`}>{row.kind}</span>
          {row.status === "suspended" && (
            <span className="rounded bg-amber-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-amber-800">suspended</span>
          )}
        </div>
        {showParent && row.parentName && (
          <div className="mt-0.5 text-xs text-slate-500" style={{ paddingLeft: row.depth * 20 + 18 }} data-testid="keys-row-parent">
            in {row.parentName}
          </div>
        )}
      </td>
      <td className="px-4 py-3">
        <KeyCell row={row} />
        {row.active && (
          <div className="mt-0.5 text-xs text-slate-500" data-testid="dek-since">
            <When iso={row.active.createdAt} timeZone={timeZone} prefix="since " />
          </div>
        )}
      </td>
      <td className="px-4 py-3">
        <CredentialsCell row={row} />
      </td>
      <td className="px-4 py-3 text-slate-600">
        {row.lastRotation?.finishedAt ? <When iso={row.lastRotation.finishedAt} timeZone={timeZone} /> : row.lastRotation ? "—" : <span className="text-slate-500">Never</span>}
      </td>
      <td className="px-4 py-3 text-right">
        <RotateDekControl tenantId={row.id} tenantName={row.name} canRotate={row.canRotate} latestJob={row.latestJob} timeZone={timeZone} />
      </td>
    </tr>
  );
}
