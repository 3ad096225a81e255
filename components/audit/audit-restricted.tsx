/** Shown instead of the list to someone who holds no admin role: RLS would show them nothing. */
export function AuditRestricted() {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-10 text-center" data-testid="audit-restricted">
      <p className="text-sm font-medium text-slate-800">The audit trail is visible to administrators only.</p>
      <p className="mt-1 text-sm text-slate-500">
        MSSP admins see every tenant they operate; tenant admins see their own tenant and its sites. Ask an admin if you
        need an event looked up.
      </p>
    </div>
  );
}
