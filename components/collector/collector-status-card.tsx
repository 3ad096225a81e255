// The collector status card: one row per collector of the tenant (last
// heartbeat, stale past STALE_AFTER_MS, last pull, alerts sent, last error,
// version), or how to run one. Receives its data; renders on the server.
import type { CollectorStatusData } from "@/lib/collector/status";
import { connectorsByPull } from "@/lib/credentials/connectors";

function ago(date: Date | null, now: Date): string {
  if (!date) return "never";
  const s = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export function CollectorStatusCard(props: { data: CollectorStatusData; slug: string; now?: Date }) {
  if (!props.data.allowed) return null;
  const now = props.now ?? new Date();
  const { collectors } = props.data;
  const { pulled, keptOnly } = connectorsByPull();
  return (
    <section className="mt-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="collector-status">
      <h3 className="mb-1 text-sm font-semibold text-slate-800">Collectors</h3>
      {collectors.length === 0 ? (
        <div className="text-sm text-slate-600" data-testid="collector-empty">
          <p>
            No collector has reported for this tenant yet. A collector pulls alerts with this tenant&apos;s {pulled} credentials and sends them to the portal;{" "}
            {keptOnly} credentials are kept and tested here, not pulled from.
          </p>
          <p className="mt-2">
            Run one with an API key of this tenant that has <code>alerts:write</code> and <code>collectors:write</code>:
          </p>
          {/* Focusable: on a phone the command scrolls sideways, and keyboard users must reach it too. */}
          <pre tabIndex={0} aria-label="Command to run a collector" className="mt-2 overflow-x-auto rounded-lg bg-slate-900 p-3 text-xs text-slate-100">
            {`COLLECTOR_API_URL=<portal URL> COLLECTOR_API_KEY=msp_live_… \\\n  npm run collector -- --tenant ${props.slug}`}
          </pre>
        </div>
      ) : (
        <ul className="divide-y divide-slate-100">
          {collectors.map((c) => (
            <li key={c.name} className="py-3 text-sm" data-testid="collector-row">
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-medium text-slate-800">{c.name}</span>
                {c.stale ? (
                  <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800" data-testid="collector-stale">
                    stale
                  </span>
                ) : (
                  <span className="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800">reporting</span>
                )}
                {c.version && <span className="text-xs text-slate-500">v{c.version}</span>}
                {c.hostname && <span className="font-mono text-xs text-slate-500">{c.hostname}</span>}
              </div>
              <dl className="mt-1 grid grid-cols-2 gap-x-4 gap-y-1 text-xs text-slate-600 sm:grid-cols-4">
                <div>
                  <dt className="text-slate-500">Last heartbeat</dt>
                  <dd title={c.lastHeartbeatAt.toISOString()}>{ago(c.lastHeartbeatAt, now)}</dd>
                </div>
                <div>
                  <dt className="text-slate-500">Last pull</dt>
                  <dd title={c.lastPullAt?.toISOString()}>{ago(c.lastPullAt, now)}</dd>
                </div>
                <div>
                  <dt className="text-slate-500">Alerts sent</dt>
                  <dd data-testid="collector-sent">
                    {c.alertsSent.toLocaleString("en")} from {c.connectors} connector{c.connectors === 1 ? "" : "s"}
                  </dd>
                </div>
                <div>
                  <dt className="text-slate-500">Last error</dt>
                  <dd className={c.lastError ? "text-red-700" : ""} data-testid="collector-error">
                    {c.lastError ? `${ago(c.lastErrorAt, now)}: ${c.lastError}` : "none"}
                  </dd>
                </div>
              </dl>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
