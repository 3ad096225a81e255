"use client";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { acceptInvitationAction, createInvitedAccountAction } from "@/lib/actions/team/accept-invitation";
import { idle, type ActionResult } from "@/lib/actions/result";
import { FieldError, ResultMessage, SubmitButton } from "./form-bits";

export function AcceptInvitation(props: { token: string; destination: string }) {
  const [state, action] = useActionState(acceptInvitationAction, idle as ActionResult<{ tenantId: string }>);
  useEffect(() => {
    if (state.ok) window.location.assign(props.destination);
  }, [state, props.destination]);
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="token" value={props.token} />
      <SubmitButton pendingLabel="Joining…">Accept invitation</SubmitButton>
      <ResultMessage state={state} />
    </form>
  );
}

export function CreateAccountAndAccept(props: { token: string; email: string }) {
  const router = useRouter();
  const [state, action] = useActionState(createInvitedAccountAction, idle as ActionResult<{ email: string }>);
  const [password, setPassword] = useState("");
  const [signInError, setSignInError] = useState<string | null>(null);
  useEffect(() => {
    if (!state.ok) return;
    // Account exists now: sign in with it, then this page offers "Accept".
    void signIn("credentials", { email: state.data.email, password, redirect: false })
      .then((r) => (r?.error ? setSignInError("Your account was created. Sign in to accept the invitation.") : router.refresh()))
      .catch(() => setSignInError("Your account was created. Sign in to accept the invitation."));
  }, [state, password, router]);
  return (
    <form action={action} className="space-y-3" aria-label="Create your account">
      <input type="hidden" name="token" value={props.token} />
      <label className="block text-sm font-medium text-slate-700">
        Email
        <input value={props.email} readOnly className="mt-1 block w-full rounded-lg border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-500" />
      </label>
      <label className="block text-sm font-medium text-slate-700">
        Your name
        <input name="name" required className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-sm" />
        <FieldError state={state} name="name" />
      </label>
      <label className="block text-sm font-medium text-slate-700">
        Choose a password (12+ characters)
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-sm"
        />
        <FieldError state={state} name="password" />
      </label>
      <SubmitButton pendingLabel="Creating…">Create account</SubmitButton>
      <ResultMessage state={state.ok ? idle : state} />
      {signInError && <p className="text-sm text-amber-800">{signInError}</p>}
    </form>
  );
}
