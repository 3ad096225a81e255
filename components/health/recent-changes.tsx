// The latest health changes: the portal's in-app notice of a change (the
// same change also went to the tenant's webhooks and email recipients).
import Link from "next/link";
import type { TransitionView } from "@/lib/health/page-data";
import { formatTime } from "@/lib/locale/time";
import { StateBadge } from "./state-badge";

/** `timeZone`: the zone the times are shown in, named once in the heading (the time column is narrow). */
export function RecentChanges({ changes, linkTo, timeZone }: { changes: TransitionView[]; linkTo?: (slug: string) => string; timeZone: string }) {
  if (changes.length === 0) return null;
  return (
    <section aria-labelledby="health-recent" className="rounded-lg border border-slate-200 bg-white p-4" data-testid="health-recent">
      <h2 id="health-recent" className="text-sm font-semibold text-slate-900">
        Recent changes <span className="font-normal text-slate-600">· times in {timeZone}</span>
      </h2>
      <ul className="mt-2 divide-y divide-slate-100 text-sm">
        {changes.map((c, i) => (
          <li key={`${c.tenantId}-${c.at.getTime()}-${i}`} className="flex flex-wrap items-center gap-2 py-1.5">
            <time dateTime={c.at.toISOString()} className="w-36 shrink-0 text-xs tabular-nums text-slate-600">
              {formatTime(c.at, timeZone, "full")}
            </time>
            {linkTo ? (
              <Link className="font-medium text-slate-900 underline" href={linkTo(c.tenantSlug)}>
                {c.tenantName}
              </Link>
            ) : (
              <span className="font-medium text-slate-900">{c.tenantName}</span>
            )}
            <StateBadge state={c.from} />
            <span aria-label="became">→</span>
            <StateBadge state={c.to} />
            <span className="text-slate-700">{c.reasons.length ? c.reasons.map((r) => r.reason).join("; ") : "every signal ok"}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
