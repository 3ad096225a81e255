import Link from "next/link";

// forbidden() from the Credentials page: not MSSP staff, or the PDP does not let the caller view credentials here.
export default function CredentialsForbidden() {
  return (
    <div className="mx-auto max-w-xl rounded-xl border border-slate-200 bg-white p-8 shadow-sm" data-testid="credentials-forbidden">
      <p className="text-sm font-semibold text-red-600">403</p>
      <h1 className="mt-2 text-xl font-semibold tracking-tight text-slate-900">The credentials overview is for MSSP staff</h1>
      <p className="mt-2 text-sm leading-6 text-slate-600">
        It lists credentials across every tenant an MSSP operates. Your own tenants&apos; credentials are on each tenant&apos;s portal, under
        Credentials.
      </p>
      <Link href="/tenants" className="mt-5 inline-flex rounded-lg bg-brand px-4 py-2 text-sm font-medium text-white hover:bg-brand-dark">
        Go to my tenants
      </Link>
    </div>
  );
}
