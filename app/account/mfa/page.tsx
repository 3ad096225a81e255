// Two-step verification for the signed-in user: set up an authenticator app,
// see recovery codes once, issue new ones, replace the app, turn it off (when
// not required). A key waiting for its first code is shown only to the session
// that started its setup with the password (lib/auth/mfa.ts).
// Served on every host (proxy.ts SHARED_PREFIXES): a user whose MFA is
// required is sent here from any page until the setup is confirmed.
import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import QRCode from "qrcode";
import { MfaManager } from "@/components/auth/mfa-manager";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { getMfaStatus, getPendingEnrolment, getPendingReplacement, PENDING_MINUTES } from "@/lib/auth/mfa";
import { getCurrentSession, MFA_ENROLMENT_PATH, requireSignedInUser } from "@/lib/auth/session";
import { formatSecretForDisplay } from "@/lib/auth/totp";
import { requestBrand } from "@/lib/branding/resolve";
import { hostTarget } from "@/lib/tenancy/host";

export const metadata: Metadata = { title: "Two-step verification" };
export const dynamic = "force-dynamic";

export default async function MfaPage() {
  const target = hostTarget(await headers());
  if (target.area === "unknown") notFound();
  // Sign-in first, and no tenant looked up: every tenant host answers alike (issue 9, finding 7), and the
  // page is about the person's account, so it names the host's product, never a tenant the person may not be in.
  const user = await requireSignedInUser(MFA_ENROLMENT_PATH);
  const status = await getMfaStatus(user.id);
  // The host's product name: the authenticator app's issuer and the recovery codes file (never the MSSP's on a white-labelled host).
  const { productName } = await requestBrand();
  const bound = { issuer: productName, sessionId: user.sessionId };
  const pending = status.enrolled
    ? await getPendingReplacement(user, bound)
    : status.pending
      ? await getPendingEnrolment(user, bound)
      : null;
  const qrDataUrl = pending
    ? await QRCode.toDataURL(pending.otpauthUri, { errorCorrectionLevel: "M", margin: 1, width: 208 })
    : null;
  const session = await getCurrentSession();

  return (
    <div className="min-h-screen bg-slate-50">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-3xl flex-wrap items-center gap-x-3 gap-y-2 px-4 py-3 sm:px-6">
          <span aria-hidden className="grid h-8 w-8 place-items-center rounded-lg bg-brand text-sm font-bold text-white">◆</span>
          <span className="text-sm font-semibold text-slate-900">{target.area === "tenant" ? productName : "MSSP Console"}</span>
          <span className="text-sm text-slate-500">/ Account security</span>
          <div className="flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1 sm:ml-auto">
            {!(status.required && !status.enrolled) && (
              <a href="/" className="text-sm text-slate-600 hover:text-slate-900">
                ← Back to the portal
              </a>
            )}
            <span className="break-all text-xs text-slate-600" data-testid="account-email">{user.email}</span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-3xl px-4 py-8 sm:px-6">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Two-step verification</h1>
        <p className="mt-1 text-sm text-slate-500">
          After your password, sign-in asks for a 6-digit code from an authenticator app on your phone
          (Google Authenticator, Microsoft Authenticator, 1Password, Bitwarden…).
        </p>
        <div className="mt-6">
          <MfaManager
            session={session}
            productName={productName}
            status={{
              required: status.required,
              enrolled: status.enrolled,
              confirmedAt: status.confirmedAt?.toISOString() ?? null,
              recoveryCodesLeft: status.recoveryCodesLeft,
              // This page's own code-check lock (its wrong codes are counted apart from sign-in's).
              lockedUntil: status.accountLockedUntil && status.accountLockedUntil > new Date() ? status.accountLockedUntil.toISOString() : null,
              // HARD_LOCK_AFTER_FAILURES wrong codes in a row here: only a recovery code is accepted until one is used.
              recoveryOnly: status.accountRecoveryOnly,
            }}
            pending={pending && qrDataUrl ? { secret: formatSecretForDisplay(pending.secret), qrDataUrl } : null}
            pendingMinutes={PENDING_MINUTES}
          />
        </div>
      </main>
    </div>
  );
}
