"use client";
// The controls of one setting row: edit in place (Save), Use inherited,
// Lock for the tenants below / Unlock. Each is its own server action form
// (lib/actions/settings), so each answers with its own message; the page
// shows only the controls the PDP allowed (lib/settings/page-data.ts).
import { useActionState, useEffect, useId, useState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { idle, type ActionResult } from "@/lib/actions/result";
import { clearSetting } from "@/lib/actions/settings/clear-setting";
import { lockSetting, unlockSetting } from "@/lib/actions/settings/lock-setting";
import { setSetting } from "@/lib/actions/settings/set-setting";
import type { SettingRow } from "@/lib/settings/page-data";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";

const inputClass = "mt-1 w-full max-w-sm rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900";

function ValueInput({ row, id }: { row: SettingRow; id: string }) {
  const input = row.input;
  switch (input.kind) {
    case "boolean":
      return (
        <select id={id} name="value" defaultValue={row.text} className={inputClass}>
          <option value="true">On</option>
          <option value="false">Off</option>
        </select>
      );
    case "integer":
      return (
        <div className="flex items-center gap-2">
          <input id={id} name="value" type="number" inputMode="numeric" step={1} min={input.min} max={input.max} defaultValue={row.text} className={inputClass} />
          <span className="mt-1 text-sm text-slate-500">{input.unit}</span>
        </div>
      );
    case "select":
      return (
        <select id={id} name="value" defaultValue={row.text} className={inputClass}>
          {input.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
    case "text":
      return <input id={id} name="value" type="text" maxLength={input.max} defaultValue={row.text} placeholder={input.placeholder} className={inputClass} />;
    case "list":
      return <textarea id={id} name="value" rows={3} defaultValue={row.text} className={`${inputClass} font-mono`} placeholder={input.item === "email" ? "soc@example.com" : "webhook id"} />;
  }
}

function Hidden({ tenantId, settingKey }: { tenantId: string; settingKey: string }) {
  return (
    <>
      <input type="hidden" name="tenantId" value={tenantId} />
      <input type="hidden" name="key" value={settingKey} />
    </>
  );
}

export function SettingEditor({ tenantId, row }: { tenantId: string; row: SettingRow }) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [setState, setAction] = useActionState(setSetting, idle as ActionResult);
  const keptSetAction = useKeptForm(setState, setAction);
  const [clearState, clearAction] = useActionState(clearSetting, idle as ActionResult);
  const keptClearAction = useKeptForm(clearState, clearAction);
  const [lockState, lockAction] = useActionState(lockSetting, idle as ActionResult);
  const keptLockAction = useKeptForm(lockState, lockAction);
  const [unlockState, unlockAction] = useActionState(unlockSetting, idle as ActionResult);
  const keptUnlockAction = useKeptForm(unlockState, unlockAction);
  // The message shown is the answer of the control used last.
  const [latest, setLatest] = useState<ActionResult | null>(null);
  useEffect(() => {
    if (setState === idle) return;
    setLatest(setState);
    if (setState.ok) setEditing(false);
  }, [setState]);
  useEffect(() => {
    if (clearState !== idle) setLatest(clearState);
  }, [clearState]);
  useEffect(() => {
    if (lockState !== idle) setLatest(lockState);
  }, [lockState]);
  useEffect(() => {
    if (unlockState !== idle) setLatest(unlockState);
  }, [unlockState]);
  const anything = row.can.edit || row.can.clear || row.can.lock || row.can.unlock;
  if (!anything) return null;

  return (
    <div className="mt-2 space-y-2">
      {editing && row.can.edit && (
        <form action={setAction} {...keptSetAction} className="rounded-lg border border-slate-200 bg-slate-50 p-3" aria-label={`Change ${row.label}`}>
          <Hidden tenantId={tenantId} settingKey={row.key} />
          <label htmlFor={id} className="text-xs font-medium text-slate-700">
            {row.label} <span className="font-normal text-slate-500">({row.bounds})</span>
          </label>
          <ValueInput row={row} id={id} />
          <FieldError state={setState} name="value" />
          <div className="mt-2 flex items-center gap-2">
            <SubmitButton pendingLabel="Saving…">Save</SubmitButton>
            <button type="button" onClick={() => setEditing(false)} className="text-sm text-slate-500 hover:text-slate-800">
              Cancel
            </button>
          </div>
        </form>
      )}
      <div className="flex flex-wrap items-center gap-1.5">
        {row.can.edit && !editing && (
          <button type="button" onClick={() => setEditing(true)} className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50" aria-label={`Change ${row.label}`}>
            Change
          </button>
        )}
        {row.can.clear && (
          <form action={clearAction} {...keptClearAction}>
            <Hidden tenantId={tenantId} settingKey={row.key} />
            <SubmitButton tone="quiet" pendingLabel="Saving…">
              Use inherited
            </SubmitButton>
          </form>
        )}
        {row.can.lock && (
          <form action={lockAction} {...keptLockAction} aria-label={`Lock ${row.label}`}>
            <Hidden tenantId={tenantId} settingKey={row.key} />
            <SubmitButton tone="quiet" pendingLabel="Locking…">
              Lock for tenants below
            </SubmitButton>
          </form>
        )}
        {row.can.unlock && (
          <form action={unlockAction} {...keptUnlockAction} aria-label={`Unlock ${row.label}`}>
            <Hidden tenantId={tenantId} settingKey={row.key} />
            <SubmitButton tone="quiet" pendingLabel="Unlocking…">
              Unlock
            </SubmitButton>
          </form>
        )}
      </div>
      {latest && <ResultMessage state={latest} />}
    </div>
  );
}
