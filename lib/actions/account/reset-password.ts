"use server";
// Password reset by email (app/reset). Before sign-in, so not tenantAction:
// zod at the edge, then lib/account/password-reset.ts (neutral answers, codes,
// limits) on its named service-role path.
import { headers } from "next/headers";
import { z } from "zod";
import { requestPasswordReset, resetPassword, PasswordResetRefused, RESET_REQUESTED } from "@/lib/account/password-reset";
import { log, safeError } from "@/lib/log";
import { clientSource } from "@/lib/ratelimit";
import { brandOfTenant, fallbackBrand, requestBrand } from "@/lib/branding/resolve";
import { customDomainTenant, hostTarget, requestAuthority, requestProtocol } from "@/lib/tenancy/host";
import { originForConsole, portalOriginForMember } from "@/lib/tenancy/origin";
import { fieldErrorsOf, formToObject, type ActionResult } from "../result";
import { mailboxCodeField, newPasswordField } from "../team/schemas";

const email = z.string().trim().toLowerCase().email("Enter a valid email address").max(254);
const requestSchema = z.object({ email });
const resetSchema = z
  .object({ email, code: mailboxCodeField, password: newPasswordField, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two passwords differ" });

const FAILED = "Something went wrong; nothing was changed. Try again.";

export async function requestPasswordResetAction(_prev: ActionResult<{ email: string }>, form: FormData): Promise<ActionResult<{ email: string }>> {
  const parsed = requestSchema.safeParse(formToObject(form));
  if (!parsed.success) return { ok: false, error: "Check the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error) };
  const h = await headers();
  // The proxy answers only the portal's own hosts, so Host is one of ours.
  const authority = requestAuthority(h) ?? "localhost";
  const protocol = requestProtocol(h);
  try {
    // In the brand of the host it is asked on (a white-labelled tenant's people never get the MSSP's),
    // when that host is the user's; else their own portal's (lib/account/password-reset.ts resetMailFor).
    const target = hostTarget(h);
    await requestPasswordReset(parsed.data.email, {
      source: clientSource(h),
      host: {
        slug: target.area === "tenant" ? target.slug : null,
        customDomain: customDomainTenant(h) !== null,
        mail: { resetUrl: `${protocol}//${authority}/signin/reset`, brand: await requestBrand() },
      },
      // The person signs in where the link points: their tenant's custom domain only when every
      // membership of theirs is within that tenant, else <slug>.<domain> (portalOriginForMember).
      // The domain and the brand as the reset's transaction reads them, on its connection (`within`).
      elsewhere: async (tenant, memberships, within) =>
        tenant
          ? { resetUrl: `${await portalOriginForMember(tenant, memberships, tenant.customDomain)}/signin/reset`, brand: await brandOfTenant(tenant.id, within) }
          : { resetUrl: `${await originForConsole()}/signin/reset`, brand: await fallbackBrand(true) },
    });
  } catch (error) {
    log.error({ event: "action.failed", action: "account:request-reset", err: safeError(error) }, "password reset request failed");
    return { ok: false, error: FAILED };
  }
  return { ok: true, data: { email: parsed.data.email }, message: RESET_REQUESTED };
}

export async function resetPasswordAction(_prev: ActionResult<{ email: string }>, form: FormData): Promise<ActionResult<{ email: string }>> {
  const parsed = resetSchema.safeParse(formToObject(form));
  if (!parsed.success) return { ok: false, error: "Check the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    // Also ends every session of the user (lib/account/password-reset.ts, with lib/auth/sessions).
    await resetPassword(parsed.data.email, parsed.data.code, parsed.data.password, clientSource(await headers()));
    return { ok: true, data: { email: parsed.data.email }, message: "Your password was changed. Sign in with the new one." };
  } catch (error) {
    if (error instanceof PasswordResetRefused) return { ok: false, error: error.message };
    log.error({ event: "action.failed", action: "account:reset-password", err: safeError(error, [parsed.data.password, parsed.data.code]) }, "password reset failed");
    return { ok: false, error: FAILED };
  }
}
