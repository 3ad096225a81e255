import { headers } from "next/headers";
import { requestBrand } from "@/lib/branding/resolve";
import { LockedNotice } from "@/components/tenants/locked-notice";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { MyTenants } from "@/components/tenants/my-tenants";
import { getSessionUser } from "@/lib/auth/session";
import { claimsOfRender } from "@/lib/db/render-transaction";
import { callerClaims } from "@/lib/db/with-tenant";
import { hostTarget } from "@/lib/tenancy/host";
import { findTenantBySlug } from "@/lib/tenancy/resolve-host";
import { switcherLinks } from "@/lib/tenancy/switcher";
import { pathWithin } from "@/lib/tenancy/path";

// Shown when a signed-in user opens a tenant host none of their memberships
// covers, or one that is suspended or closed (then it says so, and whom to
// contact), or a page their role here does not include (then it says that). It shows nothing of that tenant, only where the user can go, and
// a way to sign out (to sign in as someone else). The locked notice names the
// tenant, so it shows only to a signed-in user: the sign-in page never shows it
// (issue 9, finding 7).
export default async function Forbidden() {
  const user = await getSessionUser();
  // Next renders this with every page (the 403 boundary's content goes out with the page), so it
  // needs only the user's memberships: the claims the page's own transaction already built, or, when
  // the page has none, one statement (callerClaims), never a tenant transaction.
  const claims = user ? ((await claimsOfRender(user.id)) ?? (await callerClaims({ userId: user.id, email: user.email, activeTenantId: null }))) : null;
  const mine = claims ? { claims, paths: claims.tenants.map((m) => m.path) } : null;
  const links = mine ? await switcherLinks(mine.claims, null) : [];
  const target = hostTarget(await headers());
  const found = user && target.area === "tenant" ? await findTenantBySlug(target.slug) : null;
  // Only its own people (a membership on it or above it) learn that a tenant is locked, and its name.
  const covered = (path: string) => (mine?.paths ?? []).some((p) => pathWithin(path, p));
  const own = found && covered(found.path) ? found : null;
  // With "hide the MSSP's brand", the notice names the host's brand instead of the provider (as tenant pages do).
  const brand = own ? await requestBrand() : null;
  const tenant = own && brand?.hideMsspBrand ? { ...own, providerName: brand.productName } : own;
  if (tenant?.lockedAs) {
    return (
      <main className="mx-auto flex min-h-screen max-w-3xl flex-col justify-center p-6">
        <h1 className="mb-4 text-2xl font-semibold tracking-tight" data-testid="forbidden-title">
          This account is not available
        </h1>
        <LockedNotice tenant={tenant} />
        {links.filter((l) => l.slug !== tenant.slug).length > 0 && (
          <div className="mt-6">
            <p className="mb-2 text-sm text-slate-600">Your other portals:</p>
            <MyTenants links={links.filter((l) => l.slug !== tenant.slug)} />
          </div>
        )}
        <SignOutRow email={user?.email} />
      </main>
    );
  }
  // A member here whose role does not include the page (an analyst on the brand page, an MSSP analyst on
  // an admin's console page): say that, not "none of your memberships covers this portal".
  const roleHere = own ?? (target.area === "console" && claims?.tenants.some((m) => m.kind === "mssp") ? { name: "the console" } : null);
  if (roleHere) {
    return (
      <main className="mx-auto flex min-h-screen max-w-3xl flex-col justify-center p-6">
        <p className="text-sm font-semibold text-red-600">403</p>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight" data-testid="forbidden-title">
          This page is not part of your role
        </h1>
        <p className="mt-3 text-sm leading-6 text-slate-600" data-testid="forbidden-role">
          You are signed in{user ? ` as ${user.email}` : ""}, and your role here does not include this page. Ask an administrator if you need
          it.
        </p>
        <p className="mt-6">
          <a href="/" className="text-sm font-medium text-brand-dark hover:underline">
            Back to {roleHere.name}
          </a>
        </p>
        <SignOutRow email={user?.email} />
      </main>
    );
  }
  return (
    <main className="mx-auto flex min-h-screen max-w-3xl flex-col justify-center p-6">
      <p className="text-sm font-semibold text-red-600">403</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight" data-testid="forbidden-title">
        You don&apos;t have access to this tenant
      </h1>
      <p className="mt-3 text-sm leading-6 text-slate-600">
        You are signed in{user ? ` as ${user.email}` : ""}, but none of your memberships covers this portal. Open one of
        your own portals below, or ask an administrator of this tenant to invite you.
      </p>
      <div className="mt-6">
        <MyTenants links={links} />
      </div>
      <SignOutRow email={user?.email} />
    </main>
  );
}

function SignOutRow({ email }: { email?: string }) {
  if (!email) return null;
  return (
    <div className="mt-8 flex items-center gap-3 border-t border-slate-200 pt-4 text-sm text-slate-600" data-testid="forbidden-sign-out">
      <span>Signed in as {email}.</span>
      <SignOutButton />
    </div>
  );
}
