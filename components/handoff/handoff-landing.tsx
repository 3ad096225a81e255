"use client";
// Reads the handoff token from the fragment (and removes it from the address
// bar and history), signs in with it on this host, then goes to `next` (a
// path of this host only). A refused token explains why and offers sign-in.
import { signIn } from "next-auth/react";
import { useEffect, useRef, useState } from "react";
import { HANDOFF_MESSAGES, type HandoffRefusal } from "@/lib/auth/handoff-messages";

function safePath(raw: string | null): string {
  return raw && /^\/(?![/\\])[^\s]*$/.test(raw) ? raw : "/";
}

export function HandoffLanding() {
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const params = new URLSearchParams(window.location.hash.slice(1));
    const token = params.get("token");
    const next = safePath(params.get("next"));
    window.history.replaceState(null, "", window.location.pathname);
    if (!token) {
      setError(HANDOFF_MESSAGES.unknown);
      return;
    }
    void signIn("handoff", { token, redirect: false })
      .then((result) => {
        if (result?.ok && !result.error) {
          window.location.replace(next);
          return;
        }
        const reason = (result?.error ?? "").replace(/^handoff_/, "") as HandoffRefusal;
        setError(HANDOFF_MESSAGES[reason] ?? HANDOFF_MESSAGES.unknown);
      })
      .catch(() => setError("The portal did not answer. Check your connection and sign in here."));
  }, []);

  if (!error) {
    return (
      <p role="status" className="text-center text-sm text-slate-700">
        Opening the portal…
      </p>
    );
  }
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold text-slate-900">Sign in to continue</h1>
      <p role="alert" className="text-sm text-slate-700">
        {error}
      </p>
      <a href="/signin" className="inline-block rounded-lg bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700">
        Sign in
      </a>
    </div>
  );
}
