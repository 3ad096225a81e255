"use client";
// The invitation page's steps, in the browser:
//   1. read the token from the link's fragment (#token=…), keep it in this
//      tab's sessionStorage (it survives a detour through sign-in) and take it
//      out of the address bar and history;
//   2. show the invitation (server action, token in the POST body);
//   3. "Email me a code" → the code goes to the invited address only;
//   4. the code (plus name and password for a new account) → accepted, then
//      on to the tenant's portal.
import { signIn } from "next-auth/react";
import { useActionState, useEffect, useState } from "react";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { roleLabel } from "@/components/tenants/role-label";
import { idle, type ActionResult } from "@/lib/actions/result";
import {
  acceptInvitationAction,
  createInvitedAccountAction,
  previewInvitationAction,
  sendInvitationCodeAction,
  type InvitationView,
} from "@/lib/actions/team/accept-invitation";
import { FieldError, ResultMessage, SubmitButton } from "./form-bits";

const STORAGE_KEY = "mssp-portal.invite-token";
const INPUT = "mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-sm";

type Loaded = { kind: "loading" } | { kind: "invalid"; message?: string } | { kind: "ready"; token: string; invitation: InvitationView };

function tokenFromLocation(): string | null {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  const fromLink = fragment.get("token");
  if (fromLink) {
    sessionStorage.setItem(STORAGE_KEY, fromLink);
    window.history.replaceState(null, "", window.location.pathname);
    return fromLink;
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

export function InvitationFlow() {
  const [loaded, setLoaded] = useState<Loaded>({ kind: "loading" });
  useEffect(() => {
    const token = tokenFromLocation();
    if (!token) return setLoaded({ kind: "invalid" });
    void previewInvitationAction(token)
      .then((r) =>
        r.ok ? setLoaded({ kind: "ready", token, invitation: r.data }) : setLoaded({ kind: "invalid", message: r.error === "invalid" ? undefined : r.error }),
      )
      .catch(() => setLoaded({ kind: "invalid", message: "Something went wrong loading the invitation. Reload the page to try again." }));
  }, []);

  if (loaded.kind === "loading") return <p className="text-sm text-slate-500">Opening the invitation…</p>;
  if (loaded.kind === "invalid") {
    return (
      <div>
        <h1 className="text-lg font-semibold" data-testid="invite-invalid">
          This invitation can&apos;t be used
        </h1>
        <p className="mt-2 text-sm text-slate-600">
          {loaded.message ?? "The link is invalid, has expired, was revoked, or has already been used. Ask the admin who invited you for a new one."}
        </p>
      </div>
    );
  }
  const { invitation, token } = loaded;
  return (
    <div>
      <p className="text-sm font-semibold text-brand">Invitation</p>
      <h1 className="mt-1 text-xl font-semibold tracking-tight" data-testid="invite-title">
        Join {invitation.tenantName} as {roleLabel(invitation.role as Parameters<typeof roleLabel>[0])}
      </h1>
      <p className="mt-2 text-sm text-slate-600">
        This invitation is for <span className="font-medium" data-testid="invite-email">{invitation.email}</span>.
      </p>
      <div className="mt-6">
        {invitation.signedInAs && invitation.signedInAs !== invitation.email ? (
          <div className="space-y-3 text-sm text-slate-600">
            <p>
              You are signed in as {invitation.signedInAs}. Sign out, then open the invitation link again and use {invitation.email}.
            </p>
            <SignOutButton />
          </div>
        ) : invitation.accountExists && !invitation.signedInAs ? (
          <a
            href={`/signin?callbackUrl=${encodeURIComponent("/invite")}`}
            className="inline-flex rounded-lg bg-brand px-4 py-2 text-sm font-medium text-white hover:bg-brand-dark"
          >
            Sign in as {invitation.email} to accept
          </a>
        ) : (
          <CodeThenAccept token={token} invitation={invitation} />
        )}
      </div>
    </div>
  );
}

type AcceptResult = ActionResult<{ email: string; destination: string; created: boolean }>;

function CodeThenAccept({ token, invitation }: { token: string; invitation: InvitationView }) {
  const [sent, send] = useActionState(sendInvitationCodeAction, idle as ActionResult<{ email: string }>);
  const newAccount = !invitation.accountExists;
  const [accepted, accept] = useActionState(newAccount ? createInvitedAccountAction : acceptInvitationAction, idle as AcceptResult);
  // Controlled, so a refused code keeps what was typed (React resets uncontrolled fields after a form action).
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [after, setAfter] = useState<string | null>(null);

  useEffect(() => {
    if (!accepted.ok) return;
    sessionStorage.removeItem(STORAGE_KEY);
    const go = () => window.location.assign(accepted.data.destination);
    if (!accepted.data.created) return go();
    // The account exists now: sign in with it (two-step verification set-up follows if the tenant requires it).
    void signIn("credentials", { email: accepted.data.email, password, redirect: false })
      .then((r) => (r?.error ? setAfter("Your account was created and the invitation accepted. Sign in to continue.") : go()))
      .catch(() => setAfter("Your account was created and the invitation accepted. Sign in to continue."));
  }, [accepted, password]);

  return (
    <div className="space-y-5">
      <form action={send} className="space-y-2" aria-label="Confirm your email">
        <input type="hidden" name="token" value={token} />
        <p className="text-sm text-slate-600">
          First, confirm this address: we email a one-time code to {invitation.email}. Nothing is set up before you enter it.
        </p>
        <SubmitButton tone={sent.ok ? "quiet" : "primary"} pendingLabel="Sending…">
          {sent.ok ? "Send a new code" : "Email me a code"}
        </SubmitButton>
        <ResultMessage state={sent} />
      </form>
      {sent.ok && (
        <form action={accept} className="space-y-3 border-t border-slate-100 pt-4" aria-label={newAccount ? "Create your account" : "Accept the invitation"}>
          <input type="hidden" name="token" value={token} />
          <label className="block text-sm font-medium text-slate-700">
            Code from the email
            <input
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              maxLength={9}
              value={code}
              onChange={(e) => setCode(e.target.value)}
              className={`${INPUT} font-mono tracking-widest`}
            />
            <FieldError state={accepted} name="code" />
          </label>
          {newAccount && (
            <>
              <label className="block text-sm font-medium text-slate-700">
                Your name
                <input name="name" required value={name} onChange={(e) => setName(e.target.value)} className={INPUT} />
                <FieldError state={accepted} name="name" />
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
                  className={INPUT}
                />
                <FieldError state={accepted} name="password" />
              </label>
            </>
          )}
          <SubmitButton pendingLabel="Joining…">{newAccount ? "Create account and join" : `Join ${invitation.tenantName}`}</SubmitButton>
          <ResultMessage state={accepted} />
          {after && <p className="text-sm text-amber-800">{after}</p>}
        </form>
      )}
    </div>
  );
}
