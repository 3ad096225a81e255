"use client";
import { StatusPage } from "@/components/ui/status-page";

export default function KeysError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <StatusPage
      code="500"
      tone="danger"
      title="Key status could not be loaded"
      message={
        <>
          <p>Nothing was changed, and rotations already running carry on in the background.</p>
          <button type="button" onClick={reset} className="mt-3 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50">
            Try again
          </button>
          <p className="mt-2 text-xs text-slate-500">
            If it keeps failing, check the database connection, or run <code>npm run keys -- status</code> on the server.
          </p>
        </>
      }
    />
  );
}
