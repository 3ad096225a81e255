"use client";
// Two steps: the address (always the same neutral answer), then the emailed
// code with the new password. A person who already has a code (opening the
// email's link in a new tab) skips to step 2, which then asks the address too.
// A refusal keeps what was typed (useKeptForm).
import Link from "next/link";
import { useActionState, useState } from "react";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { requestPasswordResetAction, resetPasswordAction } from "@/lib/actions/account/reset-password";
import { idle, type ActionResult } from "@/lib/actions/result";

const INPUT = "mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-sm";

export function PasswordResetForm() {
  const [requested, request] = useActionState(requestPasswordResetAction, idle as ActionResult<{ email: string }>);
  const [done, reset] = useActionState(resetPasswordAction, idle as ActionResult<{ email: string }>);
  const keptReset = useKeptForm(done, reset);
  const [email, setEmail] = useState("");
  const [haveCode, setHaveCode] = useState(false);

  if (done.ok) {
    return (
      <div className="mt-4 space-y-3">
        <ResultMessage state={done} />
        <Link href="/signin" className="inline-flex rounded-lg bg-brand px-4 py-2 text-sm font-medium text-white hover:bg-brand-dark">
          Sign in
        </Link>
      </div>
    );
  }
  const step2 = requested.ok || haveCode;
  // Straight to step 2 with a code: the address is asked there, not in the form above.
  const askEmailInStep2 = haveCode && !requested.ok;
  return (
    <div className="mt-4 space-y-5">
      {!askEmailInStep2 && (
      <form action={request} className="space-y-3" aria-label="Ask for a reset code">
        <p className="text-sm text-slate-600">Enter the email address you sign in with. We email it a one-time code.</p>
        <label className="block text-sm font-medium text-slate-700">
          Email
          <input name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} className={INPUT} />
          <FieldError state={requested} name="email" />
        </label>
        <SubmitButton tone={step2 ? "quiet" : "primary"} pendingLabel="Sending…">
          {requested.ok ? "Send a new code" : "Email me a code"}
        </SubmitButton>
        <ResultMessage state={requested} />
        {!step2 && (
          <button type="button" className="block text-xs text-slate-500 underline" onClick={() => setHaveCode(true)}>
            I already have a code
          </button>
        )}
      </form>
      )}
      {step2 && (
        <form action={reset} {...keptReset} className={`space-y-3 ${askEmailInStep2 ? "" : "border-t border-slate-100 pt-4"}`} aria-label="Choose a new password">
          {askEmailInStep2 ? (
            <label className="block text-sm font-medium text-slate-700">
              Email
              <input name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} className={INPUT} />
              <FieldError state={done} name="email" />
            </label>
          ) : (
            <input type="hidden" name="email" value={email} />
          )}
          <label className="block text-sm font-medium text-slate-700">
            Code from the email
            <input name="code" inputMode="numeric" autoComplete="one-time-code" required maxLength={9} className={`${INPUT} font-mono tracking-widest`} />
            <FieldError state={done} name="code" />
          </label>
          <label className="block text-sm font-medium text-slate-700">
            New password (12+ characters)
            <input name="password" type="password" autoComplete="new-password" required className={INPUT} />
            <FieldError state={done} name="password" />
          </label>
          <label className="block text-sm font-medium text-slate-700">
            New password, again
            <input name="confirm" type="password" autoComplete="new-password" required className={INPUT} />
            <FieldError state={done} name="confirm" />
          </label>
          <SubmitButton pendingLabel="Saving…">Set new password</SubmitButton>
          <ResultMessage state={done} />
        </form>
      )}
      <p className="text-xs text-slate-500">
        <Link href="/signin" className="underline">
          Back to sign in
        </Link>
      </p>
    </div>
  );
}
