import type { Metadata } from "next";
import { AcceptInvitation, CreateAccountAndAccept } from "@/components/team/accept-invitation";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { roleLabel } from "@/components/tenants/role-label";
import { getSessionUser } from "@/lib/auth/session";
import { previewInvitation } from "@/lib/team/accept";
import { portalHomeFor } from "@/lib/tenancy/origin";

export const metadata: Metadata = { title: "Invitation" };

function Card({ children }: { children: React.ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-br from-slate-50 to-indigo-50 p-6">
      <div className="w-full max-w-md rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">{children}</div>
    </main>
  );
}

export default async function InvitationPage(props: { params: Promise<{ token: string }> }) {
  const { token } = await props.params;
  const invitation = await previewInvitation(token);
  if (!invitation) {
    return (
      <Card>
        <h1 className="text-lg font-semibold" data-testid="invite-invalid">
          This invitation can't be used
        </h1>
        <p className="mt-2 text-sm text-slate-600">
          The link is invalid, has expired, was revoked, or has already been used. Ask the admin who invited you for a new link.
        </p>
      </Card>
    );
  }
  const user = await getSessionUser();
  const destination = await portalHomeFor({ slug: invitation.tenantSlug, kind: invitation.tenantKind });
  const self = `/invite/${token}`;
  return (
    <Card>
      <p className="text-sm font-semibold text-brand">Invitation</p>
      <h1 className="mt-1 text-xl font-semibold tracking-tight" data-testid="invite-title">
        Join {invitation.tenantName} as {roleLabel(invitation.role)}
      </h1>
      <p className="mt-2 text-sm text-slate-600">
        This invitation is for <span className="font-medium">{invitation.email}</span>.
      </p>
      <div className="mt-6">
        {user && user.email === invitation.email ? (
          <AcceptInvitation token={token} destination={destination} />
        ) : user ? (
          <div className="space-y-3 text-sm text-slate-600">
            <p>
              You are signed in as {user.email}. Sign out, then open this link again and sign in as {invitation.email}.
            </p>
            <SignOutButton />
          </div>
        ) : invitation.accountExists ? (
          <a
            href={`/signin?callbackUrl=${encodeURIComponent(self)}`}
            className="inline-flex rounded-lg bg-brand px-4 py-2 text-sm font-medium text-white hover:bg-brand-dark"
          >
            Sign in to accept
          </a>
        ) : (
          <CreateAccountAndAccept token={token} email={invitation.email} />
        )}
      </div>
    </Card>
  );
}
