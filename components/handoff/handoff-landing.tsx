"use client";
// Reads the handoff token from the fragment (and removes it from the address
// bar and history), then asks before it signs in with it on this host, and
// goes to `next` (a path of this host only). A refused token explains why and
// offers sign-in.
//
// Login CSRF: a link opens a session only once the person has seen whose
// account it opens and said yes (the "handoff" provider, lib/auth/options.ts,
// answers with a question and spends nothing until then). Signed out here:
// "Continue as <email>?", one click more than before; else anyone could send
// their own fresh link to a signed-out person, who would then work, unawares,
// in the sender's account. Another account signed in here: "Switch
// accounts?". The same account signed in here already: no question.
import { signIn } from "next-auth/react";
import { useEffect, useRef, useState } from "react";
import { HANDOFF_MESSAGES, parseHandoffQuestion, type HandoffRefusal } from "@/lib/auth/handoff-messages";

function safePath(raw: string | null): string {
  return raw && /^\/(?![/\\])[^\s]*$/.test(raw) ? raw : "/";
}

type State = { kind: "opening" } | { kind: "refused"; message: string } | { kind: "confirm"; email: string } | { kind: "switch"; email: string };

const PRIMARY = "rounded-lg bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700";
const SECONDARY = "rounded-lg border border-slate-300 px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50";

export function HandoffLanding(props: { signedInAs: string | null }) {
  const [state, setState] = useState<State>({ kind: "opening" });
  const link = useRef<{ token: string; next: string } | null>(null);

  function open(confirmed: boolean) {
    const held = link.current;
    if (!held) return;
    setState({ kind: "opening" });
    void signIn("handoff", { token: held.token, confirmed: confirmed ? "yes" : "no", redirect: false })
      .then((result) => {
        if (result?.ok && !result.error) {
          window.location.replace(held.next);
          return;
        }
        const question = parseHandoffQuestion(result?.error);
        if (question) {
          setState(question);
          return;
        }
        const reason = (result?.error ?? "").replace(/^handoff_/, "") as HandoffRefusal;
        setState({ kind: "refused", message: HANDOFF_MESSAGES[reason] ?? HANDOFF_MESSAGES.unknown });
      })
      .catch(() => setState({ kind: "refused", message: "The portal did not answer. Check your connection and sign in here." }));
  }

  useEffect(() => {
    if (link.current) return;
    const params = new URLSearchParams(window.location.hash.slice(1));
    const token = params.get("token");
    const next = safePath(params.get("next"));
    window.history.replaceState(null, "", window.location.pathname);
    link.current = { token: token ?? "", next };
    if (!token) {
      setState({ kind: "refused", message: HANDOFF_MESSAGES.unknown });
      return;
    }
    // Once, on arrival, unconfirmed: the provider says whose link it is (or why it is refused); `open` reads the link from the ref.
    open(false);
  }, []);

  if (state.kind === "opening") {
    return (
      <p role="status" className="text-center text-sm text-slate-700">
        Opening the portal…
      </p>
    );
  }
  if (state.kind === "confirm") {
    return (
      <div className="space-y-4" data-testid="handoff-confirm">
        <h1 className="text-lg font-semibold text-slate-900">Continue as {state.email}?</h1>
        <p className="text-sm text-slate-700">
          This link signs you in to this portal as <strong className="font-medium text-slate-900">{state.email}</strong>. Only continue if that is
          your account and you opened the link yourself; anything you then do here is done in that account.
        </p>
        <div className="flex flex-wrap gap-3">
          <button type="button" onClick={() => open(true)} className={PRIMARY}>
            Continue as {state.email}
          </button>
          <a href="/signin" className={SECONDARY}>
            Sign in with another account
          </a>
        </div>
      </div>
    );
  }
  if (state.kind === "switch") {
    return (
      <div className="space-y-4" data-testid="handoff-switch">
        <h1 className="text-lg font-semibold text-slate-900">Switch accounts?</h1>
        <p className="text-sm text-slate-700">
          You are signed in here as <strong className="font-medium text-slate-900">{props.signedInAs ?? "another account"}</strong>. This link signs you in
          as <strong className="font-medium text-slate-900">{state.email}</strong> instead. Only continue if you opened it yourself.
        </p>
        <div className="flex flex-wrap gap-3">
          <button type="button" onClick={() => open(true)} className={PRIMARY}>
            Switch to the link&apos;s account
          </button>
          <a href={link.current?.next ?? "/"} className={SECONDARY}>
            Stay signed in as {props.signedInAs ?? "before"}
          </a>
        </div>
      </div>
    );
  }
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold text-slate-900">Sign in to continue</h1>
      <p role="alert" className="text-sm text-slate-700">
        {state.message}
      </p>
      <a href="/signin" className="inline-block rounded-lg bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700">
        Sign in
      </a>
    </div>
  );
}
