import type { Metadata } from "next";
import { HandoffLanding } from "@/components/handoff/handoff-landing";
import { getSessionUserForEnrolment } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Opening the portal", referrer: "no-referrer" };

// /handoff#token=…&next=…: the target end of a handoff between portals
// (lib/auth/handoff.ts). The token is in the fragment, which browsers never
// send; the client component hands it to next-auth's "handoff" provider,
// which opens this host's own session once the person has confirmed whose
// account the link opens (components/handoff/handoff-landing.tsx). Who is
// signed in here already is named if the link would switch accounts.
export default async function HandoffPage() {
  const here = await getSessionUserForEnrolment();
  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-br from-slate-50 to-indigo-50 p-6">
      <div className="w-full max-w-md rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
        <HandoffLanding signedInAs={here?.email ?? null} />
      </div>
    </main>
  );
}
