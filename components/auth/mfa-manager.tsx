"use client";
// The two-step verification page's interactive part. One component holds the
// state of every form, so the recovery codes shown after confirming stay on
// screen while the server re-renders the page underneath (they exist in
// plaintext only in this response; a reload shows only how many are left).
import type { Session } from "next-auth";
import { SessionProvider, useSession } from "next-auth/react";
import { useActionState, useEffect, useState } from "react";
import { useFormStatus } from "react-dom";
import {
  cancelReplacementAction,
  confirmEnrolmentAction,
  confirmReplacementAction,
  disableMfaAction,
  regenerateRecoveryCodesAction,
  startEnrolmentAction,
  startReplacementAction,
  type MfaActionState,
} from "@/lib/actions/account/mfa";

export interface MfaManagerProps {
  session: Session | null;
  /** The host's product name (lib/branding): names the recovery codes file. */
  productName: string;
  status: {
    required: boolean;
    enrolled: boolean;
    confirmedAt: string | null;
    recoveryCodesLeft: number;
    /** The page's own timed lock (its wrong codes are counted apart from sign-in's). */
    lockedUntil: string | null;
    /** A hundred wrong codes in a row here: app codes are refused on this page until a recovery code is used. */
    recoveryOnly: boolean;
  };
  /**
   * The key waiting for its first code, started by this session: grouped base32, and the QR
   * code of its otpauth:// URI. When enrolled: the replacement key of "Replace authenticator app".
   */
  pending: { secret: string; qrDataUrl: string } | null;
  /** How long a started setup waits for its first code before the password is asked again. */
  pendingMinutes: number;
}

const idle: MfaActionState = { status: "idle" };
const CARD = "rounded-2xl border border-slate-200 bg-white p-6 shadow-sm";
const INPUT =
  "mt-1 block w-44 rounded-lg border border-slate-300 px-3 py-2 font-mono text-sm tracking-widest shadow-sm focus:border-brand focus:outline-none focus:ring-1 focus:ring-brand";
const PASSWORD_INPUT =
  "mt-1 block w-full max-w-xs rounded-lg border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-brand focus:outline-none focus:ring-1 focus:ring-brand";
/** Wide enough for a recovery code (xxxx-xxxx-xxxx-xxxx) on a phone. */
const CODE_OR_RECOVERY_INPUT = `${PASSWORD_INPUT} font-mono tracking-wider`;

export function MfaManager(props: MfaManagerProps) {
  // The provider makes useSession().update() available: after confirming, the
  // session cookie is re-issued with mfaEnrollmentRequired re-read from the database.
  return (
    <SessionProvider session={props.session} refetchOnWindowFocus={false}>
      <Manager {...props} />
    </SessionProvider>
  );
}

function Manager({ status, pending, productName, pendingMinutes }: MfaManagerProps) {
  const { update } = useSession();
  const [startState, start] = useActionState(startEnrolmentAction, idle);
  const [confirmState, confirm] = useActionState(confirmEnrolmentAction, idle);
  const [regenState, regenerate] = useActionState(regenerateRecoveryCodesAction, idle);
  const [disableState, disable] = useActionState(disableMfaAction, idle);
  const [replaceState, startReplace] = useActionState(startReplacementAction, idle);
  const [replacedState, confirmReplace] = useActionState(confirmReplacementAction, idle);
  const [cancelState, cancelReplace] = useActionState(cancelReplacementAction, idle);

  useEffect(() => {
    if (confirmState.status === "codes") void update();
  }, [confirmState, update]);

  const issued = confirmState.status === "codes" ? confirmState : regenState.status === "codes" ? regenState : null;
  if (issued) return <RecoveryCodes codes={issued.recoveryCodes} message={issued.message} firstTime={confirmState.status === "codes"} productName={productName} />;

  if (status.enrolled) {
    return (
      <div className="space-y-6">
        <section className={CARD} data-testid="mfa-enabled">
          <div className="flex items-start gap-3">
            <span aria-hidden className="mt-0.5 grid h-7 w-7 place-items-center rounded-full bg-emerald-100 text-emerald-700">✓</span>
            <div>
              <h2 className="text-base font-semibold text-slate-900">Two-step verification is on</h2>
              <p className="mt-1 text-sm text-slate-600">
                {status.confirmedAt && <>Set up on {new Date(status.confirmedAt).toLocaleDateString("en-GB", { dateStyle: "long" })}. </>}
                Sign-in asks for a code from your authenticator app.{" "}
                <span data-testid="recovery-codes-left">
                  {status.recoveryCodesLeft} unused recovery code{status.recoveryCodesLeft === 1 ? "" : "s"}
                </span>{" "}
                left.
              </p>
              {status.recoveryCodesLeft <= 3 && (
                <p className="mt-2 text-sm text-amber-800">Few recovery codes left: generate new ones below and store them safely.</p>
              )}
              {status.recoveryOnly ? (
                <p role="alert" className="mt-2 text-sm text-red-700" data-testid="mfa-recovery-only">
                  Too many wrong codes in a row: app codes are no longer accepted here. Use one of your recovery codes in a form
                  below; once one is accepted, app codes work here again. Signing in is not affected.
                </p>
              ) : status.lockedUntil && (
                <p role="alert" className="mt-2 text-sm text-red-700">
                  Too many wrong codes: app codes are refused here until {new Date(status.lockedUntil).toLocaleTimeString("en-GB")}; a recovery code still works.
                </p>
              )}
            </div>
          </div>
          {replacedState.status === "done" && <Message state={replacedState} />}
        </section>

        {pending ? (
          <section className={CARD} data-testid="mfa-replace">
            <h2 className="text-base font-semibold text-slate-900">Replace authenticator app</h2>
            <p className="mt-1 text-sm text-slate-600">
              Your current app keeps working until the new one is confirmed. Add this new key to the app on your new phone
              (or a new entry in your app); the old entry stops working once you confirm.
            </p>
            <ol className="mt-4 space-y-6">
              <li>
                <h3 className="text-sm font-semibold text-slate-900">1. Scan this QR code with the new app</h3>
                <KeyPanel pending={pending} />
              </li>
              <li>
                <h3 className="text-sm font-semibold text-slate-900">2. Enter the 6-digit code the new app shows</h3>
                <form action={confirmReplace} className="mt-3 flex flex-wrap items-end gap-3">
                  <label className="text-sm font-medium text-slate-700">
                    Code from the new app
                    <input name="code" inputMode="numeric" autoComplete="one-time-code" required maxLength={7} placeholder="123456" className={INPUT} />
                  </label>
                  <Submit pendingLabel="Checking…">Confirm new app</Submit>
                </form>
                {replacedState.status === "error" && <Message state={replacedState} />}
              </li>
            </ol>
            <form action={cancelReplace} className="mt-6 border-t border-slate-100 pt-4">
              <p className="text-xs text-slate-500">
                Changed your mind?{" "}
                <button type="submit" className="font-medium text-brand underline-offset-2 hover:underline">
                  Cancel and keep the current app
                </button>{" "}
                (the new key expires by itself after {pendingMinutes} minutes).
              </p>
            </form>
          </section>
        ) : (
          <section className={CARD} data-testid="mfa-replace-start">
            <h2 className="text-base font-semibold text-slate-900">Replace authenticator app</h2>
            <p className="mt-1 text-sm text-slate-600">
              New or lost phone? Enter your password and a code from your current app, or one of your recovery codes if you no
              longer have the app. You then scan a new key; the current app keeps working until the new one is confirmed.
            </p>
            <Message state={cancelState} />
            <form action={startReplace} className="mt-4 flex flex-wrap items-end gap-3">
              <PasswordField />
              <label className="w-full max-w-xs text-sm font-medium text-slate-700">
                Code from your current app, or a recovery code
                <input name="code" autoComplete="one-time-code" required maxLength={32} className={CODE_OR_RECOVERY_INPUT} />
              </label>
              <Submit pendingLabel="Checking…">Start replacing</Submit>
            </form>
            <Message state={replaceState} />
          </section>
        )}

        <section className={CARD}>
          <h2 className="text-base font-semibold text-slate-900">New recovery codes</h2>
          <p className="mt-1 text-sm text-slate-600">
            Issues ten new recovery codes; the old ones stop working. Confirm with a current code from your app (or a recovery code).
          </p>
          <form action={regenerate} className="mt-4 flex flex-wrap items-end gap-3">
            <label className="text-sm font-medium text-slate-700">
              Current code
              <input name="code" autoComplete="one-time-code" required maxLength={32} className={INPUT} />
            </label>
            <Submit pendingLabel="Generating…">Generate new recovery codes</Submit>
          </form>
          <Message state={regenState} />
        </section>

        <section className={CARD}>
          <h2 className="text-base font-semibold text-slate-900">Turn off two-step verification</h2>
          {status.required ? (
            <p className="mt-1 text-sm text-slate-600" data-testid="mfa-required-note">
              Two-step verification is required for your role or by one of your organisations, so it cannot be turned off.
            </p>
          ) : (
            <>
              <p className="mt-1 text-sm text-slate-600">Sign-in will ask only for your password. Confirm with a current code.</p>
              <form action={disable} className="mt-4 flex flex-wrap items-end gap-3">
                <label className="text-sm font-medium text-slate-700">
                  Code to turn off
                  <input name="code" autoComplete="one-time-code" required maxLength={32} className={INPUT} />
                </label>
                <Submit tone="danger" pendingLabel="Turning off…">
                  Turn off
                </Submit>
              </form>
              <Message state={disableState} />
            </>
          )}
        </section>
      </div>
    );
  }

  if (disableState.status === "done") {
    return (
      <section className={CARD}>
        <p role="status" className="text-sm text-slate-700">{disableState.message}</p>
      </section>
    );
  }

  if (!pending) {
    return (
      <section className={CARD} data-testid="mfa-setup-start">
        {status.required && (
          <div role="status" data-testid="mfa-required-banner" className="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            Two-step verification is required for your account (for your role, or by an organisation you belong to). Set it up to continue to the portal.
          </div>
        )}
        <h2 className="text-base font-semibold text-slate-900">Set up an authenticator app</h2>
        <p className="mt-1 text-sm text-slate-600">
          You will scan a QR code with the app, enter the code it shows, and get ten one-time recovery codes for when your phone is not at hand.
          To confirm it is you, enter your password first.
        </p>
        <form action={start} className="mt-4 flex flex-wrap items-end gap-3">
          <PasswordField />
          <Submit pendingLabel="Preparing…">Set up authenticator app</Submit>
        </form>
        <Message state={startState} />
      </section>
    );
  }

  return (
    <section className={CARD} data-testid="mfa-setup">
      {status.required && (
        <div role="status" data-testid="mfa-required-banner" className="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Two-step verification is required for your account (for your role, or by an organisation you belong to). Finish the setup to continue to the portal.
        </div>
      )}
      <ol className="space-y-6">
        <li>
          <h2 className="text-base font-semibold text-slate-900">1. Scan this QR code with your authenticator app</h2>
          <KeyPanel pending={pending} />
        </li>
        <li>
          <h2 className="text-base font-semibold text-slate-900">2. Enter the 6-digit code the app shows</h2>
          <form action={confirm} className="mt-3 flex flex-wrap items-end gap-3">
            <label className="text-sm font-medium text-slate-700">
              Code from the app
              <input
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                maxLength={7}
                placeholder="123456"
                className={INPUT}
              />
            </label>
            <Submit pendingLabel="Checking…">Confirm and turn on</Submit>
          </form>
          <Message state={confirmState} />
        </li>
      </ol>
      <details className="mt-6 border-t border-slate-100 pt-4">
        <summary className="cursor-pointer text-xs text-slate-500">Added it to the wrong app, or shared the key by mistake? Start over with a new key</summary>
        <form action={start} className="mt-3 flex flex-wrap items-end gap-3">
          <input type="hidden" name="restart" value="1" />
          <PasswordField />
          <Submit pendingLabel="Preparing…">Start over with a new key</Submit>
        </form>
        <Message state={startState} />
      </details>
      <p className="mt-3 text-xs text-slate-500">
        This key waits {pendingMinutes} minutes for its first code; after that, enter your password again to continue with it.
      </p>
    </section>
  );
}

/** The new key: its QR code, and the grouped base32 to type in by hand. */
function KeyPanel({ pending }: { pending: { secret: string; qrDataUrl: string } }) {
  return (
    <div className="mt-3 flex flex-wrap items-center gap-6">
      {/* eslint-disable-next-line @next/next/no-img-element -- a data: URL, nothing to optimise */}
      <img
        src={pending.qrDataUrl}
        alt="QR code to add this account to an authenticator app"
        width={208}
        height={208}
        className="rounded-lg border border-slate-200"
        data-testid="totp-qr"
      />
      <div className="min-w-0 text-sm text-slate-600">
        <p>Can&apos;t scan it? Choose &ldquo;enter a setup key&rdquo; in the app and type:</p>
        <p className="mt-2 select-all break-words rounded-lg bg-slate-100 px-3 py-2 font-mono text-sm tracking-wider text-slate-900" data-testid="totp-secret">
          {pending.secret}
        </p>
        <p className="mt-2 text-xs text-slate-500">Time-based, 6 digits, 30 seconds (the app&apos;s defaults).</p>
      </div>
    </div>
  );
}

/** The account password, asked again before a key is made (never prefilled, never echoed back). */
function PasswordField() {
  return (
    <label className="w-full max-w-xs text-sm font-medium text-slate-700">
      Your password
      <input name="password" type="password" autoComplete="current-password" required maxLength={1024} className={PASSWORD_INPUT} />
    </label>
  );
}

function RecoveryCodes(props: { codes: string[]; message: string; firstTime: boolean; productName: string }) {
  const [stored, setStored] = useState(false);
  const text = `${props.productName} recovery codes (each works once)\n\n${props.codes.join("\n")}\n`;
  const download = `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
  return (
    <section className={CARD} data-testid="recovery-codes-panel">
      <p role="status" className="text-sm font-medium text-emerald-700">{props.message}</p>
      <h2 className="mt-3 text-base font-semibold text-slate-900">Store these recovery codes now</h2>
      <div className="mt-2 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
        This is the only time they are shown. If you lose your phone, each code signs you in once instead of an app code.
        Keep them in a password manager or print them; don&apos;t keep them on the same phone.
      </div>
      <ol className="mt-4 grid grid-cols-2 gap-x-8 gap-y-2 rounded-lg bg-slate-50 p-4 font-mono text-sm text-slate-900" data-testid="recovery-codes">
        {props.codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <div className="mt-4 flex flex-wrap items-center gap-3">
        <button
          type="button"
          onClick={() => void navigator.clipboard?.writeText(text)}
          className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50"
        >
          Copy
        </button>
        <a
          href={download}
          download="mssp-portal-recovery-codes.txt"
          className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50"
        >
          Download .txt
        </a>
      </div>
      <label className="mt-5 flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" checked={stored} onChange={(e) => setStored(e.target.checked)} />
        I have stored these codes somewhere safe
      </label>
      <a
        href={props.firstTime ? "/" : "/account/mfa"}
        aria-disabled={!stored}
        onClick={(e) => {
          if (!stored) e.preventDefault();
        }}
        className={`mt-4 inline-block rounded-lg px-4 py-2 text-sm font-semibold text-white ${stored ? "bg-brand hover:bg-brand-dark" : "cursor-not-allowed bg-slate-300"}`}
      >
        {props.firstTime ? "Continue to the portal" : "Done"}
      </a>
    </section>
  );
}

function Submit(props: { children: React.ReactNode; pendingLabel: string; tone?: "danger" }) {
  const { pending } = useFormStatus();
  const tone = props.tone === "danger" ? "border border-red-200 bg-white text-red-700 hover:bg-red-50" : "bg-brand text-white hover:bg-brand-dark";
  return (
    <button type="submit" disabled={pending} className={`rounded-lg px-4 py-2 text-sm font-semibold disabled:opacity-60 ${tone}`}>
      {pending ? props.pendingLabel : props.children}
    </button>
  );
}

function Message({ state }: { state: MfaActionState }) {
  if (state.status === "error") {
    return (
      <p role="alert" data-testid="mfa-error" className="mt-3 text-sm text-red-700">
        {state.error}
      </p>
    );
  }
  if (state.status === "done") {
    return (
      <p role="status" className="mt-3 text-sm text-emerald-700">
        {state.message}
      </p>
    );
  }
  return null;
}
