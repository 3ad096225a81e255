import type { LimitUse } from "@/lib/usage/limits";
import { barColour, formatQuantity } from "./format";

/** A progress bar of usage against a limit, with the numbers in words beside it. */
/**
 * `tenantId`: the tenant whose page (or row) this is; when the bar is another tenant's of its subtree
 * (the one closest to its own limit), the bar names it.
 */
export function LimitBar({ limit, unit, tenantId, compact = false }: { limit: LimitUse; unit: string; tenantId: string; compact?: boolean }) {
  const other = limit.tenant.id !== tenantId;
  const percent = limit.percent ?? 100;
  return (
    <div className={compact ? "min-w-28" : "min-w-48"} data-testid="limit-bar" data-percent={limit.percent ?? ""}>
      <div
        className="h-2 w-full overflow-hidden rounded-full bg-slate-200"
        role="progressbar"
        aria-label={`${limit.label}: ${limit.percent ?? "—"} % of ${other ? `${limit.tenant.name}'s` : "the"} limit`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.min(100, percent)}
      >
        <div className={`h-full ${barColour(percent)}`} style={{ width: `${Math.min(100, percent)}%` }} />
      </div>
      <p className="mt-1 text-xs text-slate-500">
        {limit.percent === null ? "limit 0" : `${limit.percent} %`}
        {!compact && (
          <>
            {" "}
            of {formatQuantity(limit.limit, unit)} ({limit.basis}, {limit.key})
          </>
        )}
        {other && (
          <span className="block" data-testid="limit-tenant">
            {compact ? limit.tenant.name : `${limit.tenant.name}, the closest to its own limit: ${formatQuantity(limit.used, unit)}`}
          </span>
        )}
      </p>
    </div>
  );
}
