// One tenant's health: the state and its reasons, every signal, and the
// history of changes (a timeline and a table). The console's /health/<slug>
// and the tenant host's /status render it. Times are in data.timeZone (the
// page's tenant's locale.time_zone, the MSSP's on the console).
import Link from "next/link";
import { TableScroll } from "@/components/ui/table-scroll";
import { SIGNAL_LABELS } from "@/lib/health/signals";
import type { TenantHealth } from "@/lib/health/page-data";
import { formatTime, formatTimeWithZone } from "@/lib/locale/time";
import { HealthTimeline, type TimelinePoint } from "./health-timeline";
import { LevelText, StateBadge } from "./state-badge";

const LEVEL_OF = { down: 0, degraded: 1, healthy: 2 } as const;

export function HealthNoTenant() {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="health-no-tenant">
      <p className="text-sm font-medium text-slate-800">There is no customer here whose health you can see.</p>
      <p className="mt-1 text-sm text-slate-600">The link may be old, or the customer is outside your MSSP.</p>
    </div>
  );
}

function timeline(data: TenantHealth, now: Date): TimelinePoint[] {
  const points = [...data.history].reverse().map((h) => ({ t: h.at.getTime(), level: LEVEL_OF[h.to] }));
  if (points.length > 0 && data.state) points.push({ t: Math.max(now.getTime(), points[points.length - 1].t), level: LEVEL_OF[data.state] });
  return points;
}

export function TenantHealthView({ data, backHref, settingsHint, now = new Date() }: { data: TenantHealth; backHref?: string; settingsHint: string; now?: Date }) {
  const timeZone = data.timeZone;
  if (!data.allowed) {
    return (
      <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="health-not-allowed">
        <p className="text-sm font-medium text-slate-800">You may not see the health of {data.tenant.name}.</p>
        <p className="mt-1 text-sm text-slate-600">Its admins and analysts, and the MSSP&apos;s staff, can.</p>
      </div>
    );
  }
  return (
    <div className="space-y-6">
      {backHref && (
        <Link href={backHref} className="text-sm text-slate-700 underline">
          ← Every customer
        </Link>
      )}
      <section className="rounded-lg border border-slate-200 bg-white p-5" data-testid="health-current">
        <div className="flex flex-wrap items-center gap-3">
          <h2 className="text-lg font-semibold text-slate-900">{data.tenant.name}</h2>
          <StateBadge state={data.state} testId="health-state" />
          {data.since && (
            <span className="text-sm text-slate-600">
              since <time dateTime={data.since.toISOString()}>{formatTimeWithZone(data.since, timeZone)}</time>
            </span>
          )}
        </div>
        {data.state === null ? (
          <p className="mt-3 text-sm text-slate-700" data-testid="health-not-evaluated">
            Not evaluated yet. The health check runs every minute on the portal&apos;s job workers; if this stays for more than a few
            minutes, ask your provider to check that the portal&apos;s job workers are running.
          </p>
        ) : data.reasons.length === 0 ? (
          <p className="mt-3 text-sm text-slate-700">Every signal is ok.</p>
        ) : (
          <ul className="mt-3 space-y-1 text-sm text-slate-800" data-testid="health-reasons">
            {data.reasons.map((r) => (
              <li key={r.kind}>
                <LevelText level={r.level} /> · {r.reason}
              </li>
            ))}
          </ul>
        )}
        {data.evaluatedAt && (
          <p className="mt-3 text-xs text-slate-600">
            Last evaluated <time dateTime={data.evaluatedAt.toISOString()}>{formatTimeWithZone(data.evaluatedAt, timeZone)}</time>. {settingsHint}
          </p>
        )}
      </section>

      {data.signals.length > 0 && (
        <section aria-labelledby="health-signals">
          <h2 id="health-signals" className="mb-2 text-sm font-semibold text-slate-900">
            Signals
          </h2>
          <TableScroll label="Signals" className="rounded-lg border border-slate-200 bg-white"><table className="w-full text-sm" data-testid="health-signals">
            <thead className="bg-slate-50 text-left text-xs uppercase text-slate-600">
              <tr>
                <th className="px-3 py-2">Signal</th>
                <th className="px-3 py-2">Level</th>
                <th className="px-3 py-2">Now</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {data.signals.map((s) => (
                <tr key={s.kind}>
                  <td className="px-3 py-2 font-medium text-slate-900">{SIGNAL_LABELS[s.kind] ?? s.kind}</td>
                  <td className="px-3 py-2">
                    <LevelText level={s.level} />
                  </td>
                  <td className="px-3 py-2 text-slate-700">{s.reason}</td>
                </tr>
              ))}
            </tbody>
          </table></TableScroll>
        </section>
      )}

      <section aria-labelledby="health-history">
        <h2 id="health-history" className="mb-2 text-sm font-semibold text-slate-900">
          History
        </h2>
        {data.history.length === 0 ? (
          <p className="text-sm text-slate-600">No change recorded yet.</p>
        ) : (
          <>
            <HealthTimeline
              points={timeline(data, now)}
              timeZone={timeZone}
              label={`State of ${data.tenant.name} over time (${timeZone}): ${data.history.length} changes, now ${data.state ?? "not evaluated"}`}
            />
            <TableScroll label="State changes" className="mt-3 rounded-lg border border-slate-200 bg-white"><table className="w-full text-sm" data-testid="health-history">
              <thead className="bg-slate-50 text-left text-xs uppercase text-slate-600">
                <tr>
                  <th className="px-3 py-2">
                    When
                    <span className="block font-normal normal-case tracking-normal">{timeZone}</span>
                  </th>
                  <th className="px-3 py-2">Change</th>
                  <th className="px-3 py-2">Why</th>
                  <th className="px-3 py-2">Notified</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {data.history.map((h, i) => (
                  <tr key={`${h.at.getTime()}-${i}`}>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums text-slate-700">
                      <time dateTime={h.at.toISOString()}>{formatTime(h.at, timeZone, "full")}</time>
                    </td>
                    <td className="px-3 py-2">
                      {h.from ? (
                        <span className="inline-flex items-center gap-1">
                          <StateBadge state={h.from} /> → <StateBadge state={h.to} />
                        </span>
                      ) : (
                        <span className="inline-flex items-center gap-1">
                          first evaluation: <StateBadge state={h.to} />
                        </span>
                      )}
                    </td>
                    <td className="px-3 py-2 text-slate-700">{h.reasons.length ? h.reasons.map((r) => r.reason).join("; ") : "every signal ok"}</td>
                    <td className="px-3 py-2 tabular-nums text-slate-700">{h.from ? (h.notified > 0 ? `${h.notified} sent` : "no recipients set") : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table></TableScroll>
          </>
        )}
      </section>
    </div>
  );
}
