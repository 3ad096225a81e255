"use client";
// Any page that fails to render: the root layout (and so the host's brand)
// stays, and the message says what happened and what to do. The error's
// message is not shown (it may carry internals); its digest ties the report
// to the server log.
import { StatusPage } from "@/components/ui/status-page";

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <StatusPage
      code="500"
      tone="danger"
      title="This page could not be shown"
      message={
        <>
          <p>Something failed on the server. Nothing you saved was lost.</p>
          <button type="button" onClick={reset} className="mt-3 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50">
            Try again
          </button>
          {error.digest && (
            <p className="mt-2 text-xs text-slate-600">
              If it keeps failing, give your administrator this reference: <code>{error.digest}</code>
            </p>
          )}
        </>
      }
    />
  );
}
