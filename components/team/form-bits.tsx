"use client";
import { useFormStatus } from "react-dom";
import type { ActionResult } from "@/lib/actions/result";

export function SubmitButton(props: {
  children: React.ReactNode;
  pendingLabel?: string;
  tone?: "primary" | "danger" | "quiet";
  disabled?: boolean;
  /** A name that says which row, where several rows show the same word ("Delete"). */
  "aria-label"?: string;
}) {
  const { pending } = useFormStatus();
  const tone =
    props.tone === "danger"
      ? "border border-red-200 bg-white text-red-700 hover:bg-red-50"
      : props.tone === "quiet"
        ? "border border-slate-300 bg-white text-slate-700 hover:bg-slate-50"
        : "bg-brand text-white hover:bg-brand-dark";
  return (
    <button type="submit" disabled={pending || props.disabled} aria-label={props["aria-label"]} className={`rounded-lg px-3 py-1.5 text-sm font-medium disabled:opacity-60 ${tone}`}>
      {pending ? (props.pendingLabel ?? "Working…") : props.children}
    </button>
  );
}

export function ResultMessage({ state }: { state: ActionResult<unknown> }) {
  if (state.ok && state.message) {
    return (
      <p role="status" className="text-sm text-emerald-700">
        {state.message}
      </p>
    );
  }
  if (!state.ok && state.error) {
    return (
      <p role="alert" data-testid="action-error" className="text-sm text-red-700">
        {state.error}
      </p>
    );
  }
  return null;
}

export function FieldError({ state, name }: { state: ActionResult<unknown>; name: string }) {
  const messages = !state.ok ? state.fieldErrors?.[name] : undefined;
  if (!messages?.length) return null;
  return <p className="mt-1 text-xs text-red-700">{messages.join(" ")}</p>;
}
