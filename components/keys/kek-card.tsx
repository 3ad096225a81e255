"use client";
// The MSSP's key-encryption key: version, age, how many tenant keys it wraps,
// and "Rotate KEK" behind a confirmation step. Queuing and finishing refresh
// the cards and the recent jobs (GET /keys/live), not the tenant table.
import { useActionState, useEffect, useState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { rotateMsspKek } from "@/lib/actions/keys/rotate-mssp-kek";
import type { QueuedRotation } from "@/lib/actions/keys/schemas";
import { idle, type ActionResult } from "@/lib/actions/result";
import { isFinished } from "@/lib/jobs/types";
import type { KekCard as KekCardData } from "@/lib/vault/rotation-page";
import { formatDateTime } from "./format";
import { JobProgress } from "./job-progress";
import { useKekCards, useRefreshKeys } from "./live";

/** The KEK cards of the MSSPs the caller can see, kept current while jobs run; times in `timeZone` (the page's). */
export function KekCards({ initial, timeZone }: { initial: KekCardData[]; timeZone: string }) {
  const cards = useKekCards(initial);
  return (
    <div className="space-y-4">
      {cards.map((card) => (
        <KekCard key={card.mssp.id} card={card} timeZone={timeZone} />
      ))}
    </div>
  );
}

export function KekCard({ card, timeZone }: { card: KekCardData; timeZone: string }) {
  const refresh = useRefreshKeys();
  const [refreshError, setRefreshError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [state, action] = useActionState(rotateMsspKek, idle as ActionResult<QueuedRotation>);
  const keptAction = useKeptForm(state, action);
  useEffect(() => {
    if (state.ok) {
      setConfirming(false);
      void refresh([]).then(setRefreshError);
    }
  }, [state, refresh]);

  const queued = state.ok ? state.data.job : null;
  const fromServer = card.latestJob && (!isFinished(card.latestJob.status) || card.latestJob.status === "failed") ? card.latestJob : null;
  const job = queued ?? fromServer;
  const busy = job !== null && !isFinished(job.status) && queued === null;
  const wraps = card.active?.wraps ?? 0;

  return (
    <section className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" aria-label={`Key-encryption key of ${card.mssp.name}`} data-testid="kek-card">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h2 className="text-sm font-semibold text-slate-800">Key-encryption key · {card.mssp.name}</h2>
          <p className="mt-1 text-xs text-slate-500">
            Held in Vault; wraps every tenant data key below this MSSP. Rotating it re-wraps those keys in one transaction; no credential is re-sealed.
          </p>
        </div>
        {card.canRotate && !busy && !confirming && (
          <button
            type="button"
            onClick={() => setConfirming(true)}
            className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50"
          >
            Rotate KEK
          </button>
        )}
      </div>

      {card.active ? (
        <dl className="mt-4 grid grid-cols-2 gap-4 sm:grid-cols-4">
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Version</dt>
            <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900" data-testid="kek-version">
              v{card.active.version}
            </dd>
          </div>
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Created</dt>
            <dd className="mt-1 text-sm text-slate-800">{formatDateTime(card.active.createdAt, timeZone)}</dd>
          </div>
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Wraps</dt>
            <dd className="mt-1 text-sm text-slate-800" data-testid="kek-wraps">
              {wraps} tenant key{wraps === 1 ? "" : "s"}
            </dd>
          </div>
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Retired versions</dt>
            <dd className="mt-1 text-sm text-slate-800">{card.retiredCount === 0 ? "None" : `${card.retiredCount} (material overwritten)`}</dd>
          </div>
        </dl>
      ) : (
        <p className="mt-4 text-sm text-amber-800">
          This MSSP has no key-encryption key yet. It is created with the MSSP&apos;s first tenant key; run <code>npm run db:migrate</code> if this persists.
        </p>
      )}

      {confirming && (
        <form action={action} {...keptAction} className="mt-4 rounded-lg border border-amber-200 bg-amber-50 p-4" aria-label="Confirm KEK rotation">
          <input type="hidden" name="tenantId" value={card.mssp.id} />
          <p className="text-sm font-medium text-amber-900">
            Rotate the key-encryption key of {card.mssp.name}?
          </p>
          <p className="mt-1 text-sm text-amber-900">
            A new KEK v{(card.active?.version ?? 0) + 1} is created in Vault and all {wraps} tenant keys are re-wrapped with it, all or nothing. The
            old KEK&apos;s material in Vault is then overwritten. Credentials are not touched.
          </p>
          <div className="mt-3 flex gap-2">
            <SubmitButton pendingLabel="Starting…">Rotate KEK now</SubmitButton>
            <button type="button" onClick={() => setConfirming(false)} className="rounded-lg px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-amber-100">
              Cancel
            </button>
          </div>
        </form>
      )}
      {job && (
        <div className="mt-4">
          <JobProgress key={job.id} initial={job} timeZone={timeZone} onFinished={() => void refresh([]).then(setRefreshError)} />
        </div>
      )}
      {!state.ok && state.error && (
        <div className="mt-3">
          <ResultMessage state={state} />
        </div>
      )}
      {refreshError && <p className="mt-2 text-xs text-amber-700">{refreshError}</p>}
    </section>
  );
}
