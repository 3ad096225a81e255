import type { Metadata } from "next";
import { InvitationFlow } from "@/components/team/invitation-flow";

export const metadata: Metadata = { title: "Invitation", referrer: "no-referrer" };

// The link is /invite#token=…: the token is in the fragment, which browsers
// never send, so this page is the same static shell for everyone and the
// client component reads the token and POSTs it to the server actions.
export default function InvitationPage() {
  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-br from-slate-50 to-indigo-50 p-6">
      <div className="w-full max-w-md rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
        <InvitationFlow />
      </div>
    </main>
  );
}
