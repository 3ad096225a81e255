"use client";
// One tenant's API keys: the list (every live key first, then the newest
// revoked or expired ones and how many more there are; name, prefix, scopes,
// expiry, who made it, last use, revoked), a create form whose scope boxes offer only what the
// creator may give, the new key shown once with a copy button, and revoke
// with a confirmation. Every control posts to a server action that re-checks
// everything (PDP, RLS); the UI only hides what would not work.
import { useActionState, useState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { TableScroll } from "@/components/ui/table-scroll";
import { createApiKey } from "@/lib/actions/api-keys/create-api-key";
import { revokeApiKey } from "@/lib/actions/api-keys/revoke-api-key";
import { scopeField } from "@/lib/actions/api-keys/schemas";
import { idle, type ActionResult } from "@/lib/actions/result";
import type { ApiKeysPageData, ApiKeyView } from "@/lib/api/keys/page-data";
import type { ApiScope } from "@/lib/api/keys/scopes";
import { formatTime, formatTimeWithZone } from "@/lib/locale/time";

type Created = { id: string; key: string; prefix: string; name: string; scopes: ApiScope[]; expiresAt: string };

const inputClass = "mt-1 w-full rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900 placeholder:text-slate-500";
// In the page's zone (ApiKeysPageData.timeZone): the explicit zone renders the
// same on the server and in the browser. Creation, expiry and revocation are
// moments, so their day is the day in that zone (a key made at 00:30 in Paris
// was made that day, not the UTC day before); the last use names the zone.
const when = (iso: string, zone: string) => formatTimeWithZone(new Date(iso), zone);
const day = (iso: string, zone: string) => formatTime(new Date(iso), zone, "day");

function ShownOnce({ created, timeZone }: { created: Created; timeZone: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="mb-6 rounded-xl border border-emerald-200 bg-emerald-50 p-4" data-testid="api-key-created">
      <p className="text-sm font-medium text-emerald-900">
        “{created.name}” was created. Copy the key now: it is shown only this once, and nobody can read it back later.
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <code className="min-w-0 flex-1 break-all rounded-lg border border-emerald-200 bg-white px-3 py-2 font-mono text-xs text-slate-900" data-testid="api-key-secret">
          {created.key}
        </code>
        <button
          type="button"
          className="rounded-lg bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-dark"
          onClick={() => {
            void navigator.clipboard?.writeText(created.key).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <p className="mt-2 text-xs text-emerald-900">
        Use it as <code className="font-mono">Authorization: Bearer {created.prefix}_…</code>. Scopes: {created.scopes.join(", ")}. Expires {day(created.expiresAt, timeZone)}.
      </p>
    </div>
  );
}

function CreateForm({ data, onCreated }: { data: ApiKeysPageData; onCreated: (c: Created) => void }) {
  const [state, action] = useActionState(async (prev: ActionResult<Created>, form: FormData) => {
    const r = await createApiKey(prev, form);
    if (r.ok) onCreated(r.data);
    // The key stays only in the shown-once box, not in this form's state.
    return r.ok ? { ok: true as const, data: { ...r.data, key: "" }, message: undefined } : r;
  }, idle as ActionResult<Created>);
  const keptAction = useKeptForm(state, action);
  return (
    <form action={action} {...keptAction} className="rounded-xl border border-slate-200 bg-white p-4" data-testid="api-key-create">
      <h2 className="text-base font-semibold text-slate-900">Create a key</h2>
      <input type="hidden" name="tenantId" value={data.tenant.id} />
      <div className="mt-3 grid gap-4 sm:grid-cols-2">
        <div className="flex flex-col text-xs font-medium text-slate-600">
          <label htmlFor="api-key-name">Name</label>
          <input id="api-key-name" name="name" required maxLength={80} placeholder="SIEM forwarder" className={inputClass} />
          <FieldError state={state} name="name" />
        </div>
        <div className="flex flex-col text-xs font-medium text-slate-600">
          <label htmlFor="api-key-expiry">Expires after</label>
          <select id="api-key-expiry" name="expiresInDays" defaultValue="90" className={inputClass}>
            {data.expiryChoices.map((d) => (
              <option key={d} value={String(d)}>
                {d} days
              </option>
            ))}
          </select>
          <FieldError state={state} name="expiresInDays" />
        </div>
      </div>
      <fieldset className="mt-4">
        <legend className="text-xs font-medium text-slate-600">Scopes (only what you may do yourself here)</legend>
        <div className="mt-2 grid gap-2 sm:grid-cols-2">
          {data.grantable.map((g) => (
            <label key={g.scope} className="flex items-center gap-2 text-sm text-slate-800">
              <input type="checkbox" name={scopeField(g.scope)} defaultChecked={g.scope === "alerts:read"} />
              <span className="font-mono text-xs">{g.scope}</span>
              <span className="text-slate-500">{g.label}</span>
            </label>
          ))}
        </div>
        <FieldError state={state} name="scopes" />
      </fieldset>
      <div className="mt-4 flex items-center gap-3">
        <SubmitButton pendingLabel="Creating…">Create key</SubmitButton>
        {!state.ok && <ResultMessage state={state} />}
      </div>
    </form>
  );
}

function Status({ k, timeZone }: { k: ApiKeyView; timeZone: string }) {
  if (k.revokedAt) return <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">Revoked {day(k.revokedAt, timeZone)}{k.revokedBy ? ` by ${k.revokedBy}` : ""}</span>;
  if (k.expired) return <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900">Expired</span>;
  return <span className="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-900">Active</span>;
}

function RevokeButton({ tenantId, k }: { tenantId: string; k: ApiKeyView }) {
  const [state, action] = useActionState(revokeApiKey, idle as ActionResult<{ id: string }>);
  const keptAction = useKeptForm(state, action);
  const [confirming, setConfirming] = useState(false);
  if (k.revokedAt || state.ok) return state.ok ? <ResultMessage state={state} /> : null;
  if (!confirming) {
    return (
      <button type="button" onClick={() => setConfirming(true)} className="rounded-md border border-red-200 bg-white px-2.5 py-1 text-xs font-medium text-red-700 hover:bg-red-50">
        Revoke
      </button>
    );
  }
  return (
    <form action={action} {...keptAction} className="flex flex-col items-start gap-1" data-testid="api-key-revoke-confirm">
      <input type="hidden" name="tenantId" value={tenantId} />
      <input type="hidden" name="keyId" value={k.id} />
      <p className="text-xs text-slate-700">Revoke “{k.name}”? Its next request is refused; this cannot be undone.</p>
      <div className="flex gap-2">
        <SubmitButton tone="danger" pendingLabel="Revoking…">
          Yes, revoke
        </SubmitButton>
        <button type="button" onClick={() => setConfirming(false)} className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700">
          Cancel
        </button>
      </div>
      <ResultMessage state={state} />
    </form>
  );
}

export function ApiKeysPanel({ data }: { data: ApiKeysPageData }) {
  const [created, setCreated] = useState<Created | null>(null);
  const listedLive = data.keys.filter((k) => !k.revokedAt && !k.expired).length;
  const live = listedLive + data.moreLive;
  return (
    <div className="space-y-6">
      {created && <ShownOnce created={created} timeZone={data.timeZone} />}
      <TableScroll label="API keys" className="rounded-xl border border-slate-200 bg-white">
        <table className="w-full text-left text-sm" data-testid="api-keys-table">
          <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
            <tr>
              <th className="px-3 py-2">Name</th>
              <th className="px-3 py-2">Key</th>
              <th className="px-3 py-2">Scopes</th>
              <th className="px-3 py-2">Expires</th>
              <th className="px-3 py-2">Created</th>
              <th className="whitespace-nowrap px-3 py-2">Last used</th>
              <th className="px-3 py-2">Status</th>
              <th className="px-3 py-2">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {data.keys.length === 0 && (
              <tr>
                <td colSpan={8} className="px-3 py-6 text-center text-slate-500">
                  No API keys yet. Create one below for a sensor, a SIEM forwarder or a script.
                </td>
              </tr>
            )}
            {data.keys.map((k) => (
              <tr key={k.id} data-testid="api-key-row" data-key-id={k.id} className="align-top">
                <td className="px-3 py-2 font-medium text-slate-900">{k.name}</td>
                <td className="min-w-[12rem] max-w-[15rem] break-all px-3 py-2 font-mono text-xs text-slate-700">{k.prefix}_…</td>
                <td className="px-3 py-2">
                  <div className="flex flex-wrap gap-1">
                    {k.scopes.map((s) => (
                      <span key={s} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700">
                        {s}
                      </span>
                    ))}
                  </div>
                </td>
                <td className="whitespace-nowrap px-3 py-2 text-slate-700">{day(k.expiresAt, data.timeZone)}</td>
                <td className="px-3 py-2 text-slate-700">
                  {day(k.createdAt, data.timeZone)}
                  <div className="text-xs text-slate-500">{k.createdBy ?? "a deleted account"}</div>
                </td>
                {/* One line for the time, one for the address: a narrow column wrapped them word by word. */}
                <td className="whitespace-nowrap px-3 py-2 text-slate-700" data-testid="api-key-last-used">
                  {k.lastUsedAt ? when(k.lastUsedAt, data.timeZone) : "Never"}
                  {k.lastUsedAt && <div className="text-xs text-slate-500">from {k.lastUsedIp && k.lastUsedIp !== "unknown" ? k.lastUsedIp : "an unknown address"}</div>}
                </td>
                <td className="px-3 py-2">
                  <Status k={k} timeZone={data.timeZone} />
                </td>
                <td className="w-40 max-w-[10rem] px-3 py-2 text-xs">
                  <RevokeButton tenantId={data.tenant.id} k={k} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {(data.moreInactive > 0 || data.moreLive > 0 || data.liveLimit !== null) && (
        <p className="text-sm text-slate-600" data-testid="api-keys-counts">
          {data.liveLimit !== null && (
            <>
              {live} of {data.liveLimit} live key{data.liveLimit === 1 ? "" : "s"} this tenant may hold ({data.moreLive > 0 ? "the newest listed first" : "all listed first"}).{" "}
            </>
          )}
          {data.moreLive > 0 && (
            <span data-testid="api-keys-more-live">
              {data.moreLive} older live key{data.moreLive === 1 ? " is" : "s are"} not listed: this page lists the newest {listedLive}. Each works until it expires or is
              revoked; revoking listed keys no longer needed brings older ones into the list, and the audit trail records every key&apos;s creation.{" "}
            </span>
          )}
          {data.moreInactive > 0 && (
            <span data-testid="api-keys-more-inactive">
              {data.moreInactive} older revoked or expired key{data.moreInactive === 1 ? " is" : "s are"} not shown; the audit trail records each.
            </span>
          )}
        </p>
      )}
      {data.grantable.length > 0 ? (
        <CreateForm data={data} onCreated={setCreated} />
      ) : (
        <p className="text-sm text-slate-600">You hold none of the API&apos;s scopes on this tenant, so you cannot create a key here.</p>
      )}
    </div>
  );
}
