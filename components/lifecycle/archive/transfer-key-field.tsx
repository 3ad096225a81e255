"use client";
// The transfer key an archive is sealed with: typed or pasted, loaded from a
// key file (`npm run tenants -- keygen` writes one), or, for an export,
// generated here in the browser (crypto.getRandomValues) and then copied or
// saved as a key file. The portal never keeps it: it travels in the request
// body of the one export, inspect or restore that uses it.
import { useId, useState } from "react";
import { generateTransferKey, transferKeyProblem } from "@/lib/lifecycle/web/envelope";

const input = "mt-1 block w-full rounded-lg border border-slate-300 px-3 py-1.5 font-mono text-xs";
const quiet = "rounded-lg border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50";

export function TransferKeyField(props: {
  value: string;
  onChange: (value: string, generated: boolean) => void;
  /** Offer "Generate a key" (export). */
  canGenerate?: boolean;
  /** The name a saved key file gets. */
  keyFileName?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const problem = props.value.trim() ? transferKeyProblem(props.value) : null;

  const saveKeyFile = () => {
    const url = URL.createObjectURL(new Blob([`${props.value.trim()}\n`], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = props.keyFileName ?? "transfer.key";
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <div>
      <label htmlFor={id} className="block text-sm text-slate-700">
        Transfer key
      </label>
      <input
        id={id}
        name="transferKey"
        value={props.value}
        onChange={(e) => {
          setCopied(false);
          props.onChange(e.target.value, false);
        }}
        disabled={props.disabled}
        autoComplete="off"
        spellCheck={false}
        placeholder="44 characters of base64, e.g. from npm run tenants -- keygen"
        className={input}
        aria-invalid={problem ? true : undefined}
        aria-describedby={`${id}-hint`}
        data-testid="transfer-key"
      />
      <div className="mt-2 flex flex-wrap items-center gap-2">
        {props.canGenerate && (
          <button
            type="button"
            className={quiet}
            disabled={props.disabled}
            onClick={() => {
              setCopied(false);
              props.onChange(generateTransferKey(), true);
            }}
          >
            Generate a key
          </button>
        )}
        {props.canGenerate && props.value.trim() && !problem && (
          <>
            <button
              type="button"
              className={quiet}
              onClick={async () => {
                try {
                  await navigator.clipboard.writeText(props.value.trim());
                  setCopied(true);
                } catch {
                  setCopied(false);
                }
              }}
            >
              {copied ? "Copied" : "Copy"}
            </button>
            <button type="button" className={quiet} onClick={saveKeyFile}>
              Save as a key file
            </button>
          </>
        )}
        {!props.canGenerate && (
          <label className={`${quiet} cursor-pointer`}>
            Load from a key file
            <input
              type="file"
              className="sr-only"
              accept=".key,.txt,text/plain"
              disabled={props.disabled}
              onChange={async (e) => {
                const file = e.target.files?.[0];
                e.target.value = "";
                if (!file) return;
                if (file.size > 1024) {
                  setLoadError("That file is not a transfer key file (too large).");
                  return;
                }
                setLoadError(null);
                props.onChange((await file.text()).trim(), false);
              }}
            />
          </label>
        )}
      </div>
      <p id={`${id}-hint`} className={`mt-1 text-xs ${problem || loadError ? "text-red-700" : "text-slate-500"}`}>
        {loadError ?? problem ?? (props.canGenerate ? "32 random bytes in base64. The portal does not keep it." : "The key the archive was sealed with.")}
      </p>
    </div>
  );
}
