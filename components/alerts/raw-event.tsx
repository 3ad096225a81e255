// The "Raw event" section of an alert's page: the vendor's payload as it
// arrived through the API, opened on the server for this page only (it is
// stored sealed under the tenant's key). Shown as text, never as HTML.
import type { RawEventView } from "@/lib/ingest/raw";

/** Indented for reading (it is stored as the source sent it, usually on one line). */
function readable(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

export function RawEventSection({ raw }: { raw: RawEventView }) {
  return (
    <section aria-labelledby="raw-event-title" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="raw-event">
      <h2 id="raw-event-title" className="mb-3 text-sm font-semibold text-slate-800">
        Raw event
      </h2>
      {raw.state === "open" ? (
        <details>
          <summary className="cursor-pointer text-sm text-slate-600">The payload as the source sent it</summary>
          <pre tabIndex={0} aria-label="Raw event JSON" className="mt-2 max-h-96 overflow-auto rounded-lg bg-slate-50 p-3 text-xs leading-relaxed text-slate-800 ring-1 ring-slate-200">{readable(raw.json)}</pre>
        </details>
      ) : raw.state === "key_service" ? (
        // Not the evidence's fault, and it may pass: said as a notice to retry, not as a verdict on the raw event.
        <p role="status" className="rounded-lg bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200" data-testid="raw-event-key-service">
          {raw.reason}
        </p>
      ) : (
        <p className="text-sm text-slate-500" data-testid="raw-event-unavailable">
          {raw.reason}
        </p>
      )}
    </section>
  );
}
