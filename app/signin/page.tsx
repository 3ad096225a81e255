import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { BrandMark, BrandSupport } from "@/components/branding/brand-mark";
import { requestBrand } from "@/lib/branding/resolve";
import { getSessionUserForEnrolment } from "@/lib/auth/session";
import { signInErrorMessage } from "@/lib/auth/sign-in-messages";
import { hostTarget } from "@/lib/tenancy/host";
import { isSafeReturnPath } from "@/lib/tenancy/return-path";

export const metadata: Metadata = { title: "Sign in" };


function safeCallback(raw: string | string[] | undefined): string {
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value && isSafeReturnPath(value) ? value : "/";
}

export default async function SignInPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await props.searchParams;
  // The same page for every well-formed tenant host, whether or not that
  // tenant exists, is locked, or what it is called (issue 9, finding 7): the
  // name and a locked tenant's notice show only after sign-in (the 403 page).
  // Hosts that are not the portal's never get here (proxy.ts sends them to 404).
  const target = hostTarget(await headers());
  if (target.area === "unknown") notFound();

  const callbackUrl = safeCallback(params.callbackUrl);
  // Already signed in: on to the page (which sends a user who must set up MFA to /account/mfa).
  if (await getSessionUserForEnrolment()) redirect(callbackUrl);
  const errorCode = typeof params.error === "string" ? params.error : null;
  // The host's brand (lib/branding): a tenant's own heading, text, logo and colours; the console keeps the MSSP's.
  const brand = await requestBrand();

  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-br from-slate-50 to-indigo-50 p-6">
      <div className="w-full max-w-sm rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
        <div className="mb-6 flex items-center gap-3">
          <BrandMark brand={brand} />
          <div>
            <h1 className="text-lg font-semibold tracking-tight" data-testid="signin-heading">{brand.signinHeading}</h1>
            <p className="text-sm text-slate-600" data-testid="signin-scope">
              {target.area === "tenant" ? brand.signinText || "Security portal" : "MSSP operations console"}
            </p>
          </div>
        </div>
        <SignInForm
          callbackUrl={callbackUrl}
          initialError={signInErrorMessage(errorCode)}
        />
        <p className="mt-4 text-center text-sm">
          <a href="/signin/reset" className="text-slate-600 underline hover:text-slate-900">
            Forgot password?
          </a>
        </p>
        <BrandSupport brand={brand} />
      </div>
    </main>
  );
}
