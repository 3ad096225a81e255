"use client";
// The tenant page's "Export an archive": the transfer key (generated here, or
// one the operator already keeps), then POST /customers/<slug>/export with the
// key in the body. The sealed archive streams back and is saved as a download;
// a refusal (a bad key, not allowed) is shown here and nothing is saved.
import { useState } from "react";
import { useHydrated } from "@/components/ui/use-hydrated";
import { formatBytes, transferKeyProblem } from "@/lib/lifecycle/web/envelope";
import { errorOf } from "./post";
import { TransferKeyField } from "./transfer-key-field";

type State =
  | { kind: "idle" }
  | { kind: "exporting"; received: number }
  | { kind: "done"; filename: string; bytes: number }
  | { kind: "error"; message: string };

function save(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ExportArchive(props: { slug: string; name: string; sites?: number }) {
  const [key, setKey] = useState("");
  const [generated, setGenerated] = useState(false);
  const [stored, setStored] = useState(false);
  const [state, setState] = useState<State>({ kind: "idle" });
  // Disabled until hydrated (components/ui/use-hydrated.ts): submitted natively, the key would go into the URL.
  const hydrated = useHydrated();
  const busy = state.kind === "exporting";
  const locked = busy || !hydrated;

  async function run() {
    const problem = transferKeyProblem(key);
    if (problem) return setState({ kind: "error", message: problem });
    if (generated && !stored) return setState({ kind: "error", message: "Store the key first (copy it or save the key file), then tick the box: without it the archive cannot be opened." });
    setState({ kind: "exporting", received: 0 });
    let response: Response;
    try {
      response = await fetch(`/customers/${props.slug}/export`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ transferKey: key.trim() }),
        credentials: "same-origin",
      });
    } catch {
      return setState({ kind: "error", message: "The portal could not be reached; nothing was exported." });
    }
    if (!response.ok || !response.body) return setState({ kind: "error", message: await errorOf(response) });
    const filename = response.headers.get("X-Archive-Filename") ?? `${props.slug}.tenant-archive`;
    const parts: Uint8Array[] = [];
    let received = 0;
    let shown = 0;
    try {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        received += value.length;
        if (received - shown > 256 * 1024) {
          shown = received;
          setState({ kind: "exporting", received });
        }
      }
    } catch {
      return setState({ kind: "error", message: "The export failed part-way; nothing was saved. Try again (the portal's log says why)." });
    }
    save(new Blob(parts as BlobPart[], { type: "application/octet-stream" }), filename);
    setState({ kind: "done", filename, bytes: received });
  }

  return (
    <section className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="export-archive" aria-label={`Export ${props.name}`}>
      <h3 className="mb-1 text-sm font-semibold text-slate-800">Export an archive</h3>
      <p className="mb-3 text-sm text-slate-600">
        A sealed copy of {props.name}
        {props.sites ? ` and its ${props.sites} site${props.sites === 1 ? "" : "s"}` : ""}: members&apos; accounts, alerts, assets, credentials (still
        sealed), settings and the audit trail. Restore it here or in another deployment. Nothing here changes; the export is recorded in the
        audit trail.
      </p>
      <form
        method="post"
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <TransferKeyField
          value={key}
          canGenerate
          keyFileName={`${props.slug}-transfer.key`}
          disabled={locked}
          onChange={(value, isNew) => {
            setKey(value);
            setGenerated(isNew);
            setStored(false);
            if (state.kind !== "exporting") setState({ kind: "idle" });
          }}
        />
        {generated && (
          <div className="rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900" data-testid="keep-key">
            <p className="font-medium">Keep this key. The archive cannot be opened without it, and the portal does not keep a copy.</p>
            <p className="mt-1 text-amber-800">
              Store it apart from the archive (another vault entry, another person): together they hold the customer&apos;s password hashes and the
              keys to its credentials.
            </p>
            <label className="mt-2 flex items-center gap-2">
              <input
                type="checkbox"
                checked={stored}
                onChange={(e) => {
                  setStored(e.target.checked);
                  if (state.kind === "error") setState({ kind: "idle" });
                }}
              />
              I have stored this key somewhere safe
            </label>
          </div>
        )}
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" disabled={locked} className="rounded-lg bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-dark disabled:opacity-60">
            {busy ? `Exporting… ${state.received ? formatBytes(state.received) : ""}` : `Export ${props.name}`}
          </button>
          {state.kind === "done" && (
            <p role="status" className="text-sm text-emerald-700" data-testid="export-done">
              Saved {state.filename} ({formatBytes(state.bytes)}).
            </p>
          )}
          {state.kind === "error" && (
            <p role="alert" className="text-sm text-red-700" data-testid="export-error">
              {state.message}
            </p>
          )}
        </div>
      </form>
    </section>
  );
}
