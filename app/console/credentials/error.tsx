"use client";
import { StatusPage } from "@/components/ui/status-page";

export default function CredentialsError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <StatusPage
      code="500"
      tone="danger"
      title="Credentials could not be loaded"
      message={
        <>
          <p>Nothing was changed. This page only reads; every credential is as it was.</p>
          <button type="button" onClick={reset} className="mt-3 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50">
            Try again
          </button>
          <p className="mt-2 text-xs text-slate-500">If it keeps failing, check the database connection; each tenant&apos;s own Credentials page may still work.</p>
        </>
      }
    />
  );
}
