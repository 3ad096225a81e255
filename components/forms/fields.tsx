// The labelled form fields the console's forms share (reports, bulk runs): a
// label wrapping its control (so the label text names it), the control, and
// the action's message for that field (FieldError). Values and labels come
// from lib/<capability> as { value, label } choices.
import { FieldError } from "@/components/team/form-bits";
import type { ActionResult } from "@/lib/actions/result";

export const fieldLabel = "flex flex-col text-xs font-medium text-slate-700";
export const fieldControl = "mt-1 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900";

export interface Choice {
  value: string;
  label: string;
  disabled?: boolean;
}

/** Choices from a list of values and their labels (lib/<capability>'s UI values). */
export function choicesOf<T extends string>(values: readonly T[], labels: Record<T, string>): Choice[] {
  return values.map((value) => ({ value, label: labels[value] }));
}

interface FieldBase {
  label: React.ReactNode;
  name: string;
  /** The action whose field messages to show under the control. */
  state?: ActionResult<unknown>;
  /** Extra classes on the label (the field's box: width, grid span). */
  className?: string;
  /** Extra classes on the control (e.g. w-full). */
  controlClassName?: string;
  id?: string;
}

const cls = (...parts: (string | undefined | false)[]) => parts.filter(Boolean).join(" ");

export function SelectField(props: FieldBase & { options: Choice[]; defaultValue?: string; value?: string; onChange?: (value: string) => void }) {
  return (
    <label className={cls(fieldLabel, props.className)} htmlFor={props.id}>
      {props.label}
      <select
        id={props.id}
        name={props.name}
        className={cls(fieldControl, props.controlClassName)}
        {...(props.value !== undefined ? { value: props.value } : { defaultValue: props.defaultValue })}
        onChange={props.onChange ? (e) => props.onChange!(e.target.value) : undefined}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value} disabled={o.disabled}>
            {o.label}
          </option>
        ))}
      </select>
      {props.state && <FieldError state={props.state} name={props.name} />}
    </label>
  );
}

export function InputField(
  props: FieldBase & { type?: "text" | "date" | "month" | "email"; defaultValue?: string; placeholder?: string; maxLength?: number; multiline?: { rows: number } },
) {
  const control = cls(fieldControl, props.controlClassName);
  return (
    <label className={cls(fieldLabel, props.className)} htmlFor={props.id}>
      {props.label}
      {props.multiline ? (
        <textarea id={props.id} name={props.name} rows={props.multiline.rows} defaultValue={props.defaultValue} maxLength={props.maxLength} placeholder={props.placeholder} className={control} />
      ) : (
        <input
          id={props.id}
          type={props.type ?? "text"}
          name={props.name}
          defaultValue={props.defaultValue}
          maxLength={props.maxLength}
          placeholder={props.placeholder}
          className={control}
        />
      )}
      {props.state && <FieldError state={props.state} name={props.name} />}
    </label>
  );
}
