"use client";
// The brand page's forms: the text and colour fields (saved as a draft), the
// image uploads (checked on the server, added to the draft), then Publish or
// Discard. The MSSP's own switch "hide the MSSP's brand" shows only to those
// the PDP allows (branding:whitelabel).
import { useActionState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { idle, type ActionResult } from "@/lib/actions/result";
import { discardBrandDraft, inheritBrandField, publishBrand, saveBrandDraft, setWhitelabel, uploadBrandImage } from "@/lib/actions/branding/brand";
import type { BrandPageData, DraftField } from "@/lib/branding/draft";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { submitKeepingForm } from "@/components/ui/submit-keeping-form";
import { useHydrated } from "@/components/ui/use-hydrated";

const inputClass = "mt-1 w-full rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900";
const TEXT_FIELDS: DraftField[] = ["productName", "primaryColor", "accentColor", "signinHeading", "signinText", "supportEmail", "supportUrl", "emailSenderName"];

function Field({ data, field, state }: { data: BrandPageData; field: DraftField; state: ActionResult }) {
  const f = data.fields[field];
  const id = `brand-${field}`;
  const colour = field === "primaryColor" || field === "accentColor";
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {f.label} <span className="font-normal text-slate-600">({f.locked ?? f.source})</span>
      </label>
      <div className="flex items-center gap-2">
        {colour ? <span aria-hidden className="mt-1 h-7 w-7 shrink-0 rounded border border-slate-300" style={{ background: /^#[0-9a-fA-F]{3,6}$/.test(f.value) ? f.value : "transparent" }} /> : null}
        <input id={id} name={field} type={field === "supportEmail" ? "email" : "text"} maxLength={f.max} defaultValue={f.value} disabled={f.locked !== null} className={inputClass} aria-describedby={`${id}-help`} />
      </div>
      <p id={`${id}-help`} className="mt-0.5 text-xs text-slate-600">{f.bounds}</p>
      <FieldError state={state} name={field} />
    </div>
  );
}

function Upload({ data, field }: { data: BrandPageData; field: "logoLight" | "logoDark" | "favicon" }) {
  const [state, action] = useActionState(uploadBrandImage, idle as ActionResult);
  const keptAction = useKeptForm(state, action);
  const f = data.fields[field];
  const id = `upload-${field}`;
  return (
    <form action={action} {...keptAction} className="rounded-lg border border-slate-200 p-3" data-testid={`upload-${field}`}>
      <input type="hidden" name="tenantId" value={data.tenant.id} />
      <input type="hidden" name="field" value={field} />
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {f.label} <span className="font-normal text-slate-600">({f.locked ?? (f.value ? f.source : "none")})</span>
      </label>
      <input id={id} name="file" type="file" accept="image/png,image/jpeg,image/svg+xml" disabled={f.locked !== null} className="mt-1 block w-full text-sm text-slate-700" />
      <p className="mt-0.5 text-xs text-slate-600">PNG, JPEG or SVG; at most 512 KiB and 4096×4096 pixels. SVGs are cleaned of scripts and external references.</p>
      <div className="mt-2">
        <SubmitButton pendingLabel="Checking…">Upload</SubmitButton>
      </div>
      <ResultMessage state={state} />
    </form>
  );
}

export function BrandEditor({ data }: { data: BrandPageData }) {
  const [saveState, saveAction, saving] = useActionState(saveBrandDraft, idle as ActionResult);
  // Not a form action: a refused save (a colour failing contrast) keeps everything typed.
  const submitSave = submitKeepingForm(saveAction);
  // Submitted through JavaScript: before hydration a click would post the page itself and save nothing.
  const hydrated = useHydrated();
  const [publishState, publishAction] = useActionState(publishBrand, idle as ActionResult);
  const keptPublishAction = useKeptForm(publishState, publishAction);
  const [discardState, discardAction] = useActionState(discardBrandDraft, idle as ActionResult);
  const keptDiscardAction = useKeptForm(discardState, discardAction);
  const [wlState, wlAction] = useActionState(setWhitelabel, idle as ActionResult);
  const keptWlAction = useKeptForm(wlState, wlAction);
  const [inheritState, inheritAction] = useActionState(inheritBrandField, idle as ActionResult);
  const keptInheritAction = useKeptForm(inheritState, inheritAction);
  return (
    <div className="space-y-6">
      <form method="post" onSubmit={submitSave} className="space-y-4 rounded-xl border border-slate-200 bg-white p-4" aria-labelledby="brand-fields-heading">
        <h2 id="brand-fields-heading" className="text-base font-semibold text-slate-900">Name, colours and texts</h2>
        <input type="hidden" name="tenantId" value={data.tenant.id} />
        <div className="grid gap-4 sm:grid-cols-2">
          {TEXT_FIELDS.map((f) => (
            <Field key={f} data={data} field={f} state={saveState} />
          ))}
        </div>
        <p className="text-xs text-slate-600">Colours must reach WCAG AA contrast: text on them is white or near-black, whichever reads better, and the primary colour is also used for links on white.</p>
        <button type="submit" disabled={saving || !hydrated} className="rounded-lg bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-dark disabled:opacity-60">
          {saving ? "Checking…" : "Save draft and preview"}
        </button>
        <ResultMessage state={saveState} />
      </form>

      <div className="grid gap-3 sm:grid-cols-3">
        <Upload data={data} field="logoLight" />
        <Upload data={data} field="logoDark" />
        <Upload data={data} field="favicon" />
      </div>

      <form action={inheritAction} {...keptInheritAction} className="flex flex-wrap items-end gap-2 rounded-xl border border-slate-200 bg-white p-4">
        <input type="hidden" name="tenantId" value={data.tenant.id} />
        <div>
          <label htmlFor="inherit-field" className="block text-sm font-medium text-slate-800">Inherit a field again (or remove a logo)</label>
          <select id="inherit-field" name="field" className={inputClass}>
            {Object.entries(data.fields).map(([k, f]) => (
              <option key={k} value={k}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <SubmitButton tone="quiet">Put in the draft</SubmitButton>
        <ResultMessage state={inheritState} />
      </form>

      <div className="flex flex-wrap gap-3">
        <form action={publishAction} {...keptPublishAction}>
          <input type="hidden" name="tenantId" value={data.tenant.id} />
          <SubmitButton pendingLabel="Publishing…">Publish</SubmitButton>
          <ResultMessage state={publishState} />
        </form>
        <form action={discardAction} {...keptDiscardAction}>
          <input type="hidden" name="tenantId" value={data.tenant.id} />
          <SubmitButton tone="quiet">Discard draft</SubmitButton>
          <ResultMessage state={discardState} />
        </form>
      </div>

      {data.whitelabel.canChange ? (
        <form action={wlAction} {...keptWlAction} className="rounded-xl border border-slate-200 bg-white p-4" data-testid="whitelabel-form">
          <input type="hidden" name="tenantId" value={data.tenant.id} />
          <input type="hidden" name="on" value={data.whitelabel.on ? "false" : "true"} />
          <p className="text-sm text-slate-800">
            Hide the MSSP&apos;s brand: <strong>{data.whitelabel.on ? "on" : "off"}</strong> ({data.whitelabel.source}). Applies to this tenant&apos;s portals and those below it.
          </p>
          <div className="mt-2">
            <SubmitButton tone="quiet">{data.whitelabel.on ? "Show the MSSP's brand again" : "Hide the MSSP's brand"}</SubmitButton>
          </div>
          <ResultMessage state={wlState} />
        </form>
      ) : null}
    </div>
  );
}
