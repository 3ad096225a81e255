import type { LimitUse } from "@/lib/usage/limits";
import { barColour, formatQuantity } from "./format";

/** A progress bar of usage against a limit, with the numbers in words beside it. */
export function LimitBar({ limit, unit, compact = false }: { limit: LimitUse; unit: string; compact?: boolean }) {
  const percent = limit.percent ?? 100;
  return (
    <div className={compact ? "min-w-28" : "min-w-48"} data-testid="limit-bar" data-percent={limit.percent ?? ""}>
      <div
        className="h-2 w-full overflow-hidden rounded-full bg-slate-200"
        role="progressbar"
        aria-label={`${limit.label}: ${limit.percent ?? "—"} % of the limit`}
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
      </p>
    </div>
  );
}
