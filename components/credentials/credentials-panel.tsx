"use client";
// The credentials of one tenant: a masked table, and for managers the add
// form and per-row test / replace / delete. Every control posts to a server
// action that re-checks everything (PDP, RLS); the UI only hides what won't
// work. A secret typed here goes to the server once and never comes back:
// the secret box is uncontrolled and emptied the moment its form is
// submitted, and no action result carries it. The two secret forms submit
// through onSubmit rather than a form action, so React does not reset the
// other (controlled) fields after a refusal: what was typed stays, except the
// secret.
import { RowRemovals, useRowRemoval } from "@/components/ui/row-removals";
import { ConfirmedForm } from "@/components/ui/confirmed-form";
import { useActionState, useEffect, useId, useState } from "react";
import { useFormStatus } from "react-dom";
import { FieldError, ResultMessage } from "@/components/team/form-bits";
import { submitKeepingForm } from "@/components/ui/submit-keeping-form";
import { TableScroll } from "@/components/ui/table-scroll";
import type { ConnectorKind } from "@/drizzle/credentials";
import { createCredential } from "@/lib/actions/credentials/create-credential";
import { deleteCredential } from "@/lib/actions/credentials/delete-credential";
import { replaceCredentialSecret } from "@/lib/actions/credentials/replace-credential-secret";
import { testCredentialConnection } from "@/lib/actions/credentials/test-credential-connection";
import type { CredentialView } from "@/lib/actions/credentials/view";
import { idle, type ActionResult } from "@/lib/actions/result";
import type { ConnectorFormSpec } from "@/lib/credentials/connectors";
import { pullPhrases } from "@/lib/credentials/pull-phrases";
import { SECRET_ACCESS_NOTE } from "@/lib/credentials/secret-access";
import { ConnectorBadge, ConnectorMark } from "./connector-badge";
import { ExpiryBadge, formatDate } from "./expiry-badge";

export interface CredentialsPanelProps {
  tenantId: string;
  tenantName: string;
  canManage: boolean;
  credentials: CredentialView[];
  connectors: ConnectorFormSpec[];
  /** Kinds the tenant's settings disable (lib/settings integrations.*): not offered, existing ones marked. */
  disabledKinds?: ConnectorKind[];
}

const inputClass = "mt-1 w-full rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900 placeholder:text-slate-500";
const today = () => new Date().toISOString().slice(0, 10);

/** Submits a secret form: reads it, empties the secret box, then dispatches the action (the rest stays as typed). */
const submitSecretForm = (dispatch: (data: FormData) => void) => submitKeepingForm(dispatch, { clear: ["secret"] });

function PrimaryButton(props: { pending: boolean; pendingLabel: string; children: React.ReactNode }) {
  return (
    <button type="submit" disabled={props.pending} className="rounded-lg bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-dark disabled:opacity-60">
      {props.pending ? props.pendingLabel : props.children}
    </button>
  );
}

const rowButton = "whitespace-nowrap rounded-md border px-2.5 py-1 text-xs font-medium disabled:opacity-60";

/** A small submit button for the per-row forms (test, delete). */
function RowSubmit(props: { children: React.ReactNode; pendingLabel: string; danger?: boolean; "aria-label"?: string }) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      disabled={pending}
      aria-label={props["aria-label"]}
      className={`${rowButton} ${props.danger ? "border-red-200 bg-white text-red-700 hover:bg-red-50" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"}`}
    >
      {pending ? props.pendingLabel : props.children}
    </button>
  );
}

function SecretInput(props: { id: string; label: string; help?: string; state: ActionResult<unknown> }) {
  const [shown, setShown] = useState(false);
  return (
    <div className="flex flex-col text-xs font-medium text-slate-600">
      <label htmlFor={props.id}>{props.label}</label>
      <div className="mt-1 flex gap-2">
        <input
          id={props.id}
          name="secret"
          type={shown ? "text" : "password"}
          autoComplete="new-password"
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          data-1p-ignore
          data-lpignore="true"
          className="w-full rounded-lg border border-slate-300 bg-white px-3 py-1.5 font-mono text-sm text-slate-900"
        />
        <button
          type="button"
          onClick={() => setShown((s) => !s)}
          aria-pressed={shown}
          aria-controls={props.id}
          className="shrink-0 rounded-lg border border-slate-300 bg-white px-2.5 py-1.5 text-xs font-medium text-slate-600 hover:bg-slate-50"
        >
          {shown ? "Hide" : "Show"}
        </button>
      </div>
      {props.help && <p className="mt-1 font-normal text-slate-500">{props.help}</p>}
      <FieldError state={props.state} name="secret" />
      {/* The server never sends a secret back, so after a refusal the box is empty on purpose. */}
      {!props.state.ok && props.state.error !== "" && !props.state.fieldErrors?.secret && (
        <p className="mt-1 font-normal text-amber-700" data-testid="secret-retype">
          Not kept after an error, for safety: enter the secret again.
        </p>
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------
// Add
// ---------------------------------------------------------------------------

function initialValues(connectors: ConnectorFormSpec[]): Record<string, Record<string, string>> {
  return Object.fromEntries(connectors.map((c) => [c.kind, Object.fromEntries(c.fields.map((f) => [f.name, f.defaultValue ?? ""]))]));
}

function AddCredentialForm(props: { tenantId: string; connectors: ConnectorFormSpec[]; onSaved: (c: CredentialView) => void; onCancel: () => void }) {
  const [state, action, pending] = useActionState(createCredential, idle as ActionResult<CredentialView>);
  // Controlled, so a refused submission keeps what was typed, except the
  // secret (uncontrolled, emptied on submit).
  const [kind, setKind] = useState<ConnectorKind>(props.connectors[0].kind);
  const [name, setName] = useState("");
  const [values, setValues] = useState(() => initialValues(props.connectors));
  const [expiresAt, setExpiresAt] = useState("");
  const spec = props.connectors.find((c) => c.kind === kind)!;
  const ids = useId();
  const { onSaved } = props;
  useEffect(() => {
    if (state.ok) onSaved(state.data);
  }, [state, onSaved]);

  return (
    <form method="post" onSubmit={submitSecretForm(action)} noValidate className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" aria-label="Add a credential">
      <div className="flex items-start justify-between gap-4">
        <div>
          <h2 className="text-sm font-semibold text-slate-800">Add a credential</h2>
          <p className="mt-1 text-xs text-slate-500" data-testid="secret-access">
            The secret is sealed with this tenant&apos;s own key when you save. {SECRET_ACCESS_NOTE}
          </p>
        </div>
        <button type="button" onClick={props.onCancel} className="text-sm text-slate-500 hover:text-slate-800">
          Cancel
        </button>
      </div>
      <input type="hidden" name="tenantId" value={props.tenantId} />
      <input type="hidden" name="connector" value={kind} />

      <fieldset className="mt-4">
        <legend className="text-xs font-medium text-slate-600">Connector</legend>
        <div className="mt-1 grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5" role="radiogroup" aria-label="Connector">
          {props.connectors.map((c) => {
            const selected = c.kind === kind;
            return (
              <button
                key={c.kind}
                type="button"
                role="radio"
                aria-checked={selected}
                onClick={() => setKind(c.kind)}
                className={`flex items-center gap-2 rounded-lg border px-3 py-2 text-left text-sm ${
                  selected ? "border-brand bg-indigo-50 font-medium text-slate-900 ring-1 ring-brand" : "border-slate-200 bg-white text-slate-700 hover:bg-slate-50"
                }`}
              >
                <ConnectorMark kind={c.kind} />
                <span className="leading-tight">{c.label}</span>
              </button>
            );
          })}
        </div>
        <p className="mt-2 text-xs text-slate-500" data-testid="connector-help">
          {spec.help}
          {spec.pulledByCollector ? "" : ` Kept and tested here; the collector does not pull alerts from ${spec.label}.`}
        </p>
      </fieldset>

      <div className="mt-4 grid gap-4 sm:grid-cols-2">
        <label className="flex flex-col text-xs font-medium text-slate-600">
          Name
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder={`e.g. ${spec.label} production`} maxLength={80} className={inputClass} />
          <FieldError state={state} name="name" />
        </label>
        {spec.fields.map((f) => {
          const id = `${ids}-${kind}-${f.name}`;
          const value = values[kind]?.[f.name] ?? "";
          const set = (v: string) => setValues((all) => ({ ...all, [kind]: { ...all[kind], [f.name]: v } }));
          return (
            <div key={`${kind}-${f.name}`} className="flex flex-col text-xs font-medium text-slate-600">
              <label htmlFor={id}>
                {f.label}
                {f.optional && <span className="ml-1 font-normal text-slate-500">(optional)</span>}
              </label>
              {f.options ? (
                <select id={id} name={`cfg_${f.name}`} value={value} onChange={(e) => set(e.target.value)} className={inputClass}>
                  {f.options.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              ) : (
                <input id={id} name={`cfg_${f.name}`} value={value} onChange={(e) => set(e.target.value)} placeholder={f.placeholder} spellCheck={false} className={inputClass} />
              )}
              {f.help && <p className="mt-1 font-normal text-slate-500">{f.help}</p>}
              <FieldError state={state} name={`cfg_${f.name}`} />
            </div>
          );
        })}
        <SecretInput id={`${ids}-secret`} label={spec.secret.label} help={spec.secret.help} state={state} />
        <label className="flex flex-col text-xs font-medium text-slate-600">
          <span>
            Expires <span className="font-normal text-slate-500">(optional)</span>
          </span>
          <input name="expiresAt" type="date" min={today()} value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} className={inputClass} />
          <p className="mt-1 font-normal text-slate-500">When the vendor says this secret stops working. The table warns 14 days ahead.</p>
          <FieldError state={state} name="expiresAt" />
        </label>
      </div>

      <div className="mt-5 flex items-center gap-3">
        <PrimaryButton pending={pending} pendingLabel="Sealing…">
          Save credential
        </PrimaryButton>
        {!state.ok && <ResultMessage state={state} />}
      </div>
    </form>
  );
}

// ---------------------------------------------------------------------------
// One row
// ---------------------------------------------------------------------------

function ReplaceSecretForm(props: { credential: CredentialView; spec: ConnectorFormSpec; onDone: (c: CredentialView) => void; onCancel: () => void }) {
  const [state, action, pending] = useActionState(replaceCredentialSecret, idle as ActionResult<CredentialView>);
  const [expiresAt, setExpiresAt] = useState(props.credential.expiresAt && props.credential.status !== "expired" ? props.credential.expiresAt.slice(0, 10) : "");
  const id = useId();
  const { onDone } = props;
  useEffect(() => {
    if (state.ok) onDone(state.data);
  }, [state, onDone]);
  return (
    <form method="post" onSubmit={submitSecretForm(action)} noValidate aria-label={`Replace the secret of ${props.credential.name}`} className="rounded-lg border border-slate-200 bg-slate-50 p-4">
      <input type="hidden" name="tenantId" value={props.credential.tenantId} />
      <input type="hidden" name="credentialId" value={props.credential.id} />
      <input type="hidden" name="connector" value={props.credential.connector} />
      <p className="text-sm font-medium text-slate-800">Replace the secret of “{props.credential.name}”</p>
      <p className="mt-0.5 text-xs text-slate-500">The old secret is overwritten when you save; the settings stay as they are.</p>
      <div className="mt-3 grid gap-4 sm:grid-cols-2">
        <SecretInput id={`${id}-secret`} label={`New ${props.spec.secret.label.toLowerCase()}`} help={props.spec.secret.help} state={state} />
        <label className="flex flex-col text-xs font-medium text-slate-600">
          <span>
            Expires <span className="font-normal text-slate-500">(optional)</span>
          </span>
          <input name="expiresAt" type="date" min={today()} value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} className={inputClass} />
          <FieldError state={state} name="expiresAt" />
        </label>
      </div>
      <div className="mt-4 flex items-center gap-3">
        <PrimaryButton pending={pending} pendingLabel="Sealing…">
          Save new secret
        </PrimaryButton>
        <button type="button" onClick={props.onCancel} className="text-sm text-slate-500 hover:text-slate-800">
          Cancel
        </button>
        {!state.ok && <ResultMessage state={state} />}
      </div>
    </form>
  );
}

export function TestResult({ state }: { state: ActionResult<{ ok: boolean; message: string; retry?: boolean }> }) {
  if (!state.ok) return state.error ? <ResultMessage state={state} /> : null;
  // The key service failed: the test did not run, and nothing is said against the credential.
  const retry = !state.data.ok && state.data.retry === true;
  const tone = state.data.ok
    ? "border-emerald-200 bg-emerald-50 text-emerald-800"
    : retry
      ? "border-amber-200 bg-amber-50 text-amber-900"
      : "border-red-200 bg-red-50 text-red-800";
  return (
    <p role="status" data-testid="test-result" data-ok={state.data.ok} data-retry={retry || undefined} className={`rounded-lg border px-3 py-2 text-sm ${tone}`}>
      <span className="font-semibold">{state.data.ok ? "Connection works. " : retry ? "Not tested. " : "Connection failed. "}</span>
      {state.data.message}
    </p>
  );
}

function CredentialRow(props: { credential: CredentialView; spec: ConnectorFormSpec; canManage: boolean; columns: number; disabled: boolean }) {
  const c = props.credential;
  const [testState, testAction] = useActionState(testCredentialConnection, idle as ActionResult<{ ok: boolean; message: string; retry?: boolean }>);
  const deleteAction = useRowRemoval();
  const [replacing, setReplacing] = useState(false);
  const [replaced, setReplaced] = useState<string | null>(null);
  const showTest = testState.ok || Boolean(testState.error);
  const showDetail = props.canManage && (replacing || replaced || showTest);
  return (
    <tbody className="border-t border-slate-100 first:border-t-0" data-testid={`credential-${c.name}`} data-status={c.status}>
      <tr className={c.status === "expired" ? "bg-red-50/40" : undefined}>
        <td className="min-w-[10rem] py-3 pl-4 pr-3 align-top">
          <div className="font-medium text-slate-800">{c.name}</div>
          {c.summary && (
            <div className="mt-0.5 max-w-[11rem] truncate text-xs text-slate-500" title={c.summary}>
              {c.summary}
            </div>
          )}
        </td>
        <td className="px-3 py-3 align-top">
          <ConnectorBadge kind={c.connector} label={props.spec.shortLabel} />
          {props.disabled && (
            <div className="mt-1">
              <span
                className="inline-flex rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900"
                data-testid="disabled-by-configuration"
                title="This connector kind is turned off in the tenant's settings: no new credential of this kind can be added."
              >
                Disabled by configuration
              </span>
            </div>
          )}
        </td>
        <td className="whitespace-nowrap px-3 py-3 align-top font-mono text-sm text-slate-700" data-testid="masked-secret" title="Only the last four characters are kept in the clear">
          {c.masked}
        </td>
        <td className="whitespace-nowrap px-3 py-3 align-top text-sm text-slate-600">{formatDate(c.createdAt)}</td>
        <td className="whitespace-nowrap px-3 py-3 align-top text-sm text-slate-600">{formatDate(c.rotatedAt, "Never")}</td>
        <td className="whitespace-nowrap px-3 py-3 align-top text-sm text-slate-600">{formatDate(c.lastUsedAt, "Never")}</td>
        <td className="px-3 py-3 align-top">
          <ExpiryBadge credential={c} />
        </td>
        {props.canManage && (
          <td className="py-3 pl-3 pr-4 align-top">
            <div className="flex justify-end gap-1.5">
              <form action={testAction}>
                <input type="hidden" name="tenantId" value={c.tenantId} />
                <input type="hidden" name="credentialId" value={c.id} />
                <RowSubmit pendingLabel="Testing…">Test</RowSubmit>
              </form>
              <button
                type="button"
                onClick={() => {
                  setReplacing((r) => !r);
                  setReplaced(null);
                }}
                aria-expanded={replacing}
                className={`${rowButton} ${replacing ? "border-brand bg-indigo-50 text-brand-dark" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"}`}
              >
                Replace secret
              </button>
              <ConfirmedForm action={deleteAction} question={`Delete the credential “${c.name}”? Anything that uses it stops working, and the secret cannot be recovered.`}>
                <input type="hidden" name="tenantId" value={c.tenantId} />
                <input type="hidden" name="credentialId" value={c.id} />
                <RowSubmit danger pendingLabel="Deleting…" aria-label={`Delete ${c.name}`}>
                  Delete
                </RowSubmit>
              </ConfirmedForm>
            </div>
          </td>
        )}
      </tr>
      {showDetail && (
        <tr>
          <td colSpan={props.columns} className="space-y-2 px-4 pb-4">
            {replacing && (
              <ReplaceSecretForm
                credential={c}
                spec={props.spec}
                onCancel={() => setReplacing(false)}
                onDone={(updated) => {
                  setReplacing(false);
                  setReplaced(
                    updated.masked !== "••••"
                      ? `Secret replaced. ${updated.name} now ends in ${updated.masked}; the new secret is sealed and will not be shown again.`
                      : `Secret replaced. The new secret of ${updated.name} is sealed and will not be shown again.`,
                  );
                }}
              />
            )}
            {replaced && (
              <p role="status" className="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
                {replaced}
              </p>
            )}
            {showTest && <TestResult state={testState} />}
          </td>
        </tr>
      )}
    </tbody>
  );
}

// ---------------------------------------------------------------------------
// The panel
// ---------------------------------------------------------------------------

export function CredentialsPanel(props: CredentialsPanelProps) {
  const [adding, setAdding] = useState(false);
  const [saved, setSaved] = useState<CredentialView | null>(null);
  const specs = new Map(props.connectors.map((c) => [c.kind, c]));
  const pull = pullPhrases(props.connectors);
  const disabled = new Set(props.disabledKinds ?? []);
  const addable = props.connectors.filter((c) => !disabled.has(c.kind));
  const canAdd = props.canManage && addable.length > 0;
  const columns = props.canManage ? 8 : 7;
  const onSaved = (c: CredentialView) => {
    setAdding(false);
    setSaved(c);
  };
  const openForm = () => {
    setSaved(null);
    setAdding(true);
  };

  return (
    <div className="space-y-6">
      {!props.canManage && (
        <div className="rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm text-slate-600" data-testid="credentials-read-only">
          <span className="font-medium text-slate-800">Read only.</span> You can see which credentials {props.tenantName} has. Only its admins can add, test, replace or
          delete them. {SECRET_ACCESS_NOTE}
        </div>
      )}
      {saved && (
        <div role="status" data-testid="credential-saved" className="flex items-start justify-between gap-4 rounded-xl border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900">
          <div>
            <p className="font-semibold">Saved. The secret is now sealed and will not be shown again.</p>
            <p className="mt-0.5 text-emerald-800">
              “{saved.name}” is listed below as <span className="font-mono">{saved.masked}</span>. To change it later, use Replace secret.
            </p>
          </div>
          <button type="button" onClick={() => setSaved(null)} className="text-emerald-700 hover:text-emerald-950" aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
      {disabled.size > 0 && (
        <p className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="connectors-disabled-note">
          Disabled by configuration for {props.tenantName}: {props.connectors.filter((c) => disabled.has(c.kind)).map((c) => c.shortLabel).join(", ")}. No credential of{" "}
          {disabled.size === 1 ? "this kind" : "these kinds"} can be added; existing ones are marked.
        </p>
      )}
      {canAdd && adding && <AddCredentialForm tenantId={props.tenantId} connectors={addable} onSaved={onSaved} onCancel={() => setAdding(false)} />}

      <RowRemovals action={deleteCredential} testId="credential-removal-answer">
      {props.credentials.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="credentials-empty">
          <p className="text-sm font-medium text-slate-800">No credentials in {props.tenantName} yet.</p>
          <p className="mt-1 text-sm text-slate-500">
            {props.canManage
              ? `Add one to connect this tenant to its tools: the collector pulls alerts with ${pull.pulled} credentials; ${pull.keptOnly} credentials are kept and tested here.`
              : "An admin of this tenant can add them; they will be listed here, masked."}
          </p>
          {canAdd && !adding && (
            <button type="button" onClick={openForm} className="mt-4 rounded-lg bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-dark">
              Add credential
            </button>
          )}
        </div>
      ) : (
        <section className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
          <div className="flex items-center justify-between border-b border-slate-200 bg-slate-50 px-4 py-2.5">
            <h2 className="text-sm font-semibold text-slate-700">
              Credentials of {props.tenantName} ({props.credentials.length})
            </h2>
            {canAdd && !adding && (
              <button type="button" onClick={openForm} className="rounded-lg bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-dark">
                Add credential
              </button>
            )}
          </div>
          <TableScroll label="Credentials">
            <table className="min-w-full text-sm" data-testid="credentials-table">
              <thead className="border-b border-slate-200 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="py-2.5 pl-4 pr-3">Name</th>
                  <th className="px-3 py-2.5">Connector</th>
                  <th className="px-3 py-2.5">Secret</th>
                  <th className="px-3 py-2.5">Created <span className="normal-case font-normal">(UTC)</span></th>
                  <th className="px-3 py-2.5">Rotated <span className="normal-case font-normal">(UTC)</span></th>
                  <th className="px-3 py-2.5">Last used <span className="normal-case font-normal">(UTC)</span></th>
                  <th className="px-3 py-2.5">Expires <span className="normal-case font-normal">(UTC)</span></th>
                  {props.canManage && (
                    <th className="py-2.5 pl-3 pr-4 text-right">
                      <span className="sr-only">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              {props.credentials.map((c) => (
                <CredentialRow key={c.id} credential={c} spec={specs.get(c.connector)!} canManage={props.canManage} columns={columns} disabled={disabled.has(c.connector)} />
              ))}
            </table>
          </TableScroll>
        </section>
      )}
      </RowRemovals>
    </div>
  );
}
