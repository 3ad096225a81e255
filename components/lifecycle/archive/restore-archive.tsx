"use client";
// The Restore page: choose the archive file and its transfer key, Inspect
// (the whole file read and checked, the manifest shown, nothing touched),
// then Restore under a parent, optionally replacing the tenant as it is here.
// Each step uploads the file again (the server keeps nothing between them).
import { useId, useState } from "react";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { useHydrated } from "@/components/ui/use-hydrated";
import { formatTimeWithZone } from "@/lib/locale/time";
import { formatBytes, transferKeyProblem, UPLOAD_LIMIT_BYTES } from "@/lib/lifecycle/web/envelope";
import type { InspectView, RestoreView } from "@/lib/lifecycle/web/console-archive";
import { postEnvelope } from "./post";
import { TransferKeyField } from "./transfer-key-field";

export interface ParentOption {
  slug: string;
  name: string;
}

const card = "rounded-xl border border-slate-200 bg-white p-4 shadow-sm";
const field = "mt-1 block w-full rounded-lg border border-slate-300 px-3 py-1.5 text-sm";
const primary = "rounded-lg bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-dark disabled:opacity-60";
const danger = "rounded-lg bg-red-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-60";
const TOO_LARGE = "This archive is too large to restore from the console: use `npm run tenants -- restore` (docs/tenant-migration.md).";

function ErrorNote(props: { message: string | null; testId: string }) {
  if (!props.message) return null;
  return (
    <p role="alert" className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" data-testid={props.testId}>
      {props.message}
    </p>
  );
}

function Manifest({ m, timeZone }: { m: InspectView; timeZone: string }) {
  const [showEmpty, setShowEmpty] = useState(false);
  const filled = m.sections.filter((s) => s.rows > 0);
  const empty = m.sections.filter((s) => s.rows === 0);
  const sites = m.tenants.filter((t) => t.slug !== m.root.slug);
  return (
    <section className={card} data-testid="manifest" aria-label="Manifest">
      <h2 className="text-sm font-semibold text-slate-800">
        Archive of {m.root.name} <span className="font-mono font-normal text-slate-500">({m.root.slug}, {m.root.kind})</span>
      </h2>
      <p className="mb-3 text-xs text-emerald-700">Every chunk authenticated; every table&apos;s rows match the manifest. Nothing was touched.</p>
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">Tenants</dt>
          <dd data-testid="manifest-tenants">
            {m.tenants.length} — {m.root.slug}
            {sites.length > 0 && <span className="text-slate-500"> and its sites {sites.map((t) => t.slug).join(", ")}</span>}
          </dd>
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">Rows</dt>
          <dd data-testid="manifest-rows">{m.totalRows.toLocaleString("en")}</dd>
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">Taken</dt>
          <dd data-testid="manifest-taken">
            <time dateTime={m.createdAt}>{formatTimeWithZone(new Date(m.createdAt), timeZone)}</time>
          </dd>
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">Where it hung</dt>
          <dd>{m.sourceParent ? `${m.sourceParent.name} (${m.sourceParent.slug})` : "a root (an MSSP)"}</dd>
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">Source deployment</dt>
          <dd className="font-mono text-xs" data-testid="manifest-source">
            {m.sourceDeployment}
          </dd>
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">Format</dt>
          <dd data-testid="manifest-format">version {m.formatVersion}</dd>
        </div>
        <div className="sm:col-span-2">
          <dt className="text-xs uppercase tracking-wide text-slate-500">Secrets</dt>
          <dd>
            {m.secrets.deks} data key{m.secrets.deks === 1 ? "" : "s"} and {m.secrets.totp} second-factor secret{m.secrets.totp === 1 ? "" : "s"}, wrapped
            under the transfer key
            {m.totp === "sealed-only" && " (second factors travel sealed only: they open where NEXTAUTH_SECRET is the same)"}
          </dd>
        </div>
      </dl>
      <table className="mt-4 w-full text-sm" data-testid="manifest-tables">
        <thead>
          <tr className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500">
            <th className="py-1.5 font-medium">Table</th>
            <th className="py-1.5 text-right font-medium">Rows</th>
          </tr>
        </thead>
        <tbody>
          {(showEmpty ? m.sections : filled).map((s) => (
            <tr key={s.table} className="border-b border-slate-100">
              <td className="py-1 font-mono text-xs text-slate-700">{s.table}</td>
              <td className="py-1 text-right tabular-nums">{s.rows.toLocaleString("en")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {empty.length > 0 && (
        <button type="button" className="mt-2 text-xs text-brand hover:underline" onClick={() => setShowEmpty(!showEmpty)}>
          {showEmpty ? "Hide the empty tables" : `Show ${empty.length} empty table${empty.length === 1 ? "" : "s"}`}
        </button>
      )}
    </section>
  );
}

function Result({ r }: { r: RestoreView }) {
  const u = r.users;
  return (
    <section className="rounded-xl border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-950" data-testid="restore-result" role="status">
      <h2 className="mb-2 font-semibold">
        Restored {r.tenants.map((t) => t.slug).join(", ")} under {r.parent.name} ({r.sameDeployment ? "from this deployment" : `from deployment ${r.sourceDeployment}`})
      </h2>
      <ul className="list-disc space-y-1 pl-5">
        <li>
          Created: {r.created.join(", ") || "none"}; replaced: {r.replaced.join(", ") || "none"}
          {r.replaced.length > 0 && ` (${r.deletedRows.toLocaleString("en")} live rows removed first)`}.
        </li>
        <li data-testid="restore-rows">{r.writtenRows.toLocaleString("en")} rows written.</li>
        <li>
          {r.verified.skipped
            ? "Not verified after writing."
            : `Verified: ${r.verified.equal} table${r.verified.equal === 1 ? "" : "s"} equal to the archive`}
          {r.verified.notCompared.map((n) => `; ${n.table}: ${n.why}`).join("")}.
        </li>
        {r.rebuilt.length > 0 && (
          <li data-testid="restore-rebuilt">
            The archive predates {r.rebuilt.length === 1 ? "one rollup table" : `${r.rebuilt.length} rollup tables`} ({r.rebuilt.join(", ")}): rebuilt from its alerts and assets, so the dashboards count them.
          </li>
        )}
        <li>
          Audit trail: restored as archived for {r.audit.restoredChains.join(", ") || "none"}; live trail kept for {r.audit.keptChains.join(", ") || "none"}{" "}
          (a tenant.restored entry was added).
        </li>
        <li>
          Users: {u.created} created, {u.existing} already here, {u.mappedByEmail} matched by email, {u.clearedReferences} reference
          {u.clearedReferences === 1 ? "" : "s"} cleared
          {u.totpResealed ? `, ${u.totpResealed} second factor(s) re-sealed` : ""}
          {u.totpUnopenable ? `; ${u.totpUnopenable} second factor(s) do not open here: those users must enrol again` : ""}.
        </li>
        {r.notActive.map((t) => (
          <li key={t.slug}>
            {t.slug} is {t.status}, as in the archive{t.status === "deprovisioning" ? ": call off its offboarding on its page to bring it back" : ""}.
          </li>
        ))}
      </ul>
      <p className="mt-3 flex flex-wrap gap-3">
        {r.tenants.map((t) => (
          <a key={t.slug} href={`/customers/${t.slug}`} className="font-medium text-brand hover:underline">
            Open {t.name}
          </a>
        ))}
      </p>
    </section>
  );
}

/** `timeZone`: the page's zone (the manifest comes from the inspect route after the render, and is formatted here with it). */
export function RestoreArchive(props: { parents: ParentOption[]; pdpUnavailable: boolean; timeZone: string }) {
  const ids = { file: useId(), parent: useId(), replace: useId() };
  const [file, setFile] = useState<File | null>(null);
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState<"inspect" | "restore" | null>(null);
  const [manifest, setManifest] = useState<InspectView | null>(null);
  const [inspectError, setInspectError] = useState<string | null>(null);
  const [parent, setParent] = useState("");
  const [replace, setReplace] = useState(false);
  const [result, setResult] = useState<RestoreView | null>(null);
  const [restoreError, setRestoreError] = useState<string | null>(null);
  // Disabled until hydrated (components/ui/use-hydrated.ts): submitted natively, the key would go into the URL.
  const hydrated = useHydrated();
  const locked = busy !== null || !hydrated;

  const reset = () => {
    setManifest(null);
    setInspectError(null);
    setResult(null);
    setRestoreError(null);
  };

  const ready = (): string | null => {
    if (!file) return "Choose the archive file.";
    if (file.size > UPLOAD_LIMIT_BYTES) return `${TOO_LARGE} It is ${formatBytes(file.size)}; the console takes ${formatBytes(UPLOAD_LIMIT_BYTES)}.`;
    return transferKeyProblem(key);
  };

  async function inspect() {
    reset();
    const problem = ready();
    if (problem) return setInspectError(problem);
    setBusy("inspect");
    const r = await postEnvelope<InspectView>("/customers/restore/inspect", { transferKey: key.trim() }, [{ field: "archive", file: file! }], TOO_LARGE);
    setBusy(null);
    if (r.ok) setManifest(r.data);
    else setInspectError(r.error);
  }

  async function restore() {
    setResult(null);
    setRestoreError(null);
    const problem = ready();
    if (problem) return setRestoreError(problem);
    setBusy("restore");
    const r = await postEnvelope<RestoreView>(
      "/customers/restore/run",
      { transferKey: key.trim(), parent, replace },
      [{ field: "archive", file: file! }],
      TOO_LARGE,
    );
    setBusy(null);
    if (r.ok) setResult(r.data);
    else setRestoreError(r.error);
  }

  const canRestore = props.parents.length > 0;
  return (
    <div className="space-y-4">
      {props.pdpUnavailable && <PdpUnavailable inline />}
      <section className={card} aria-label="The archive">
        <h2 className="mb-1 text-sm font-semibold text-slate-800">1. The archive</h2>
        <p className="mb-3 text-sm text-slate-600">
          A <span className="font-mono">.tenant-archive</span> file from a tenant page&apos;s Export, <span className="font-mono">npm run tenants -- export</span> or
          an offboarding, and the transfer key it was sealed with. Up to {formatBytes(UPLOAD_LIMIT_BYTES)} here; a larger one is restored with{" "}
          <span className="font-mono">npm run tenants -- restore</span>.
        </p>
        <form
          method="post"
          className="max-w-2xl space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            void inspect();
          }}
        >
          <div>
            <label htmlFor={ids.file} className="block text-sm text-slate-700">
              Archive file
            </label>
            <input
              id={ids.file}
              type="file"
              disabled={locked}
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                reset();
              }}
              className="mt-1 block w-full text-sm text-slate-700 file:mr-3 file:rounded-lg file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-700 hover:file:bg-slate-50"
            />
          </div>
          <TransferKeyField
            value={key}
            disabled={locked}
            onChange={(value) => {
              setKey(value);
              reset();
            }}
          />
          <div className="flex items-center gap-3">
            <button type="submit" disabled={locked} className={primary}>
              {busy === "inspect" ? "Inspecting…" : "Inspect"}
            </button>
            <span className="text-xs text-slate-500">Reads and checks the whole file; changes nothing.</span>
          </div>
          <ErrorNote message={inspectError} testId="inspect-error" />
        </form>
      </section>

      {manifest && <Manifest m={manifest} timeZone={props.timeZone} />}

      {manifest && (
        <section className={card} aria-label="Restore">
          <h2 className="mb-1 text-sm font-semibold text-slate-800">2. Restore {manifest.root.name}</h2>
          {!canRestore ? (
            <p className="text-sm text-slate-600">Restoring needs an MSSP admin (tenants:provision on the MSSP it goes under); ask one of your MSSP&apos;s admins.</p>
          ) : (
            <form
              method="post"
              className="max-w-2xl space-y-3"
              onSubmit={(e) => {
                e.preventDefault();
                void restore();
              }}
            >
              <p className="text-sm text-slate-600">
                In one transaction: if anything is refused or fails, nothing is restored. Its users keep their passwords and second factors.
              </p>
              <div>
                <label htmlFor={ids.parent} className="block text-sm text-slate-700">
                  Restore under
                </label>
                <select id={ids.parent} value={parent} onChange={(e) => setParent(e.target.value)} disabled={locked} className={field}>
                  <option value="">
                    Where it is now, else where it was{manifest.sourceParent ? ` (${manifest.sourceParent.name})` : ""}
                  </option>
                  {props.parents.map((p) => (
                    <option key={p.slug} value={p.slug}>
                      {p.name} ({p.slug})
                    </option>
                  ))}
                </select>
              </div>
              <label htmlFor={ids.replace} className="flex items-start gap-2 text-sm text-slate-700">
                <input id={ids.replace} type="checkbox" className="mt-1" checked={replace} disabled={locked} onChange={(e) => setReplace(e.target.checked)} />
                <span>
                  Replace an existing tenant
                  <span className="block text-xs text-slate-500">
                    If {manifest.root.slug} (or one of its sites) exists here, its rows are deleted and replaced by the archive&apos;s; its audit trail is
                    kept and notes the restore. Needs the right to offboard it.
                  </span>
                </span>
              </label>
              <div className="flex items-center gap-3">
                <button type="submit" disabled={locked} className={replace ? danger : primary}>
                  {busy === "restore" ? "Restoring… keep this page open" : replace ? `Restore and replace ${manifest.root.name}` : `Restore ${manifest.root.name}`}
                </button>
              </div>
              <ErrorNote message={restoreError} testId="restore-error" />
            </form>
          )}
        </section>
      )}

      {result && <Result r={result} />}
    </div>
  );
}
