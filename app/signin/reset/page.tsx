import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { PasswordResetForm } from "@/components/account/password-reset-form";
import { hostTarget } from "@/lib/tenancy/host";

export const metadata: Metadata = { title: "Reset your password", referrer: "no-referrer" };

// The same neutral page on every portal host, like /signin.
export default async function ResetPasswordPage() {
  if (hostTarget(await headers()).area === "unknown") notFound();
  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-br from-slate-50 to-indigo-50 p-6">
      <div className="w-full max-w-sm rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-lg font-semibold tracking-tight">Reset your password</h1>
        <PasswordResetForm />
      </div>
    </main>
  );
}
