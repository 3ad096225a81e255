"use client";
// Two steps, one next-auth credentials provider. Step 1 posts email and
// password; if the password is right and the user has two-step verification,
// the answer is "mfa_required" and step 2 asks for a code, then posts email,
// password and code together (the password stays in this component's state
// only, and is dropped on success or "Back"). A wrong password on step 1 gets
// the same message whether or not the account has MFA.
// On a tenant's custom domain, someone who is not one of its own people is
// refused after the right password (lib/auth/host-rule.ts); the answer names
// the portal's own address to sign in on instead, linked here.
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { useHydrated } from "@/components/ui/use-hydrated";
import { isCodeStepError, signInErrorMessage, wrongHostOrigin } from "@/lib/auth/sign-in-messages";

const INPUT =
  "mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-brand focus:outline-none focus:ring-1 focus:ring-brand";
const BUTTON =
  "w-full rounded-lg bg-brand px-4 py-2 text-sm font-semibold text-white hover:bg-brand-dark disabled:opacity-60";

type Step = { kind: "password" } | { kind: "code"; email: string; password: string };

export function SignInForm(props: { callbackUrl: string; initialError: string | null }) {
  const router = useRouter();
  const [step, setStep] = useState<Step>({ kind: "password" });
  const [error, setError] = useState<string | null>(props.initialError);
  // The origin a refusal on a custom domain sends the person to: only from the sign-in answer itself,
  // never from the page's URL (anyone can write ?error= into a link).
  const [elsewhere, setElsewhere] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [useRecovery, setUseRecovery] = useState(false);
  // Bumped after a refused code: remounts the (uncontrolled) code field, empty and focused.
  const [codeAttempt, setCodeAttempt] = useState(0);
  const emailRef = useRef("");
  // Until hydrated the button stays disabled: the browser would submit the form itself, and even as a
  // POST (below) the password would go to the page instead of the sign-in endpoint.
  const hydrated = useHydrated();

  async function attempt(email: string, password: string, code: string) {
    setPending(true);
    setError(null);
    setElsewhere(null);
    const result = await signIn("credentials", { email, password, code, redirect: false }).catch(() => undefined);
    setPending(false);
    if (result && !result.error) {
      setStep({ kind: "password" });
      router.replace(props.callbackUrl);
      router.refresh();
      return;
    }
    const failure = result?.error ?? "unknown";
    if (isCodeStepError(failure)) {
      setStep({ kind: "code", email, password });
      if (code) setCodeAttempt((n) => n + 1);
    } else {
      setStep({ kind: "password" });
    }
    setError(signInErrorMessage(failure));
    setElsewhere(wrongHostOrigin(failure));
  }

  async function onPassword(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "");
    emailRef.current = email;
    await attempt(email, String(form.get("password") ?? ""), "");
  }

  async function onCode(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (step.kind !== "code") return;
    const code = String(new FormData(event.currentTarget).get("code") ?? "").trim();
    if (!code) {
      setError(useRecovery ? "Enter one of your recovery codes." : "Enter the 6-digit code from your authenticator app.");
      return;
    }
    await attempt(step.email, step.password, code);
  }

  const alert = error && (
    <div role="alert" data-testid="signin-error" className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      {error}
      {elsewhere && (
        <>
          {" "}
          <a
            href={`${elsewhere}/signin?callbackUrl=${encodeURIComponent(props.callbackUrl)}`}
            data-testid="signin-elsewhere"
            className="font-medium underline"
          >
            Sign in at {new URL(elsewhere).host}
          </a>
        </>
      )}
    </div>
  );

  if (step.kind === "code") {
    return (
      <form method="post" onSubmit={onCode} className="space-y-4" noValidate data-testid="signin-code-step">
        <div>
          <h2 className="text-base font-semibold text-slate-900">Two-step verification</h2>
          <p className="mt-1 text-sm text-slate-600">
            {useRecovery
              ? "Enter one of the recovery codes you saved when you set up two-step verification. Each code works once."
              : "Open your authenticator app and enter the 6-digit code for this account."}
          </p>
          <p className="mt-1 text-xs text-slate-500">Signing in as {step.email}</p>
        </div>
        {alert}
        <label className="block text-sm font-medium text-slate-700">
          {useRecovery ? "Recovery code" : "Authentication code"}
          <input
            key={`${useRecovery ? "recovery" : "totp"}-${codeAttempt}`}
            name="code"
            type="text"
            inputMode={useRecovery ? "text" : "numeric"}
            autoComplete="one-time-code"
            autoFocus
            required
            maxLength={useRecovery ? 32 : 6}
            pattern={useRecovery ? undefined : "[0-9]{6}"}
            placeholder={useRecovery ? "xxxx-xxxx-xxxx-xxxx" : "123456"}
            className={`${INPUT} font-mono tracking-widest`}
          />
        </label>
        <button type="submit" disabled={pending} className={BUTTON}>
          {pending ? "Verifying…" : "Verify"}
        </button>
        <div className="flex items-center justify-between text-sm">
          <button
            type="button"
            className="text-slate-600 underline-offset-2 hover:underline"
            onClick={() => {
              setStep({ kind: "password" });
              setError(null);
              setUseRecovery(false);
            }}
          >
            ← Back
          </button>
          <button
            type="button"
            className="font-medium text-brand underline-offset-2 hover:underline"
            onClick={() => {
              setUseRecovery(!useRecovery);
              setError(null);
            }}
          >
            {useRecovery ? "Use your authenticator app" : "Use a recovery code"}
          </button>
        </div>
      </form>
    );
  }

  return (
    // method="post": whatever submits this form natively, the password never goes into a URL
    // (the address bar, the history, the access logs of every proxy on the way).
    <form method="post" onSubmit={onPassword} className="space-y-4" noValidate>
      {alert}
      <label className="block text-sm font-medium text-slate-700">
        Email
        <input
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={emailRef.current}
          className={INPUT}
        />
      </label>
      <label className="block text-sm font-medium text-slate-700">
        Password
        <input name="password" type="password" autoComplete="current-password" required className={INPUT} />
      </label>
      <button type="submit" disabled={pending || !hydrated} className={BUTTON}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      <noscript>
        <p className="text-sm text-slate-600">Signing in needs JavaScript: turn it on for this site, then reload the page.</p>
      </noscript>
    </form>
  );
}
