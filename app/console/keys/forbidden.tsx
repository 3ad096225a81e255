import Link from "next/link";

// forbidden() from the Keys page: the caller is not MSSP staff.
export default function KeysForbidden() {
  return (
    <div className="mx-auto max-w-xl rounded-xl border border-slate-200 bg-white p-8 shadow-sm" data-testid="keys-forbidden">
      <p className="text-sm font-semibold text-red-600">403</p>
      <h1 className="mt-2 text-xl font-semibold tracking-tight text-slate-900">Keys are managed by your MSSP</h1>
      <p className="mt-2 text-sm leading-6 text-slate-600">
        Encryption keys of tenants are rotated by the MSSP&apos;s administrators. Your tenants&apos; credentials stay sealed with their own keys; ask your MSSP
        if you need a key rotated.
      </p>
      <Link href="/tenants" className="mt-5 inline-flex rounded-lg bg-brand px-4 py-2 text-sm font-medium text-white hover:bg-brand-dark">
        Go to my tenants
      </Link>
    </div>
  );
}
