/**
 * Shown instead of the list to someone who holds no admin role (RLS would show them nothing), or
 * whose admin roles reach tenants that all deny them audit:view (`denied`: a tenant's own policy).
 */
export function AuditRestricted({ denied = false }: { denied?: boolean }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-10 text-center" data-testid="audit-restricted">
      {denied ? (
        <>
          <p className="text-sm font-medium text-slate-800">A policy does not let you read this audit trail.</p>
          <p className="mt-1 text-sm text-slate-500">
            Your role would show it, but the tenant&apos;s authorization policy denies you audit:view here. Ask an admin
            who may read it if you need an event looked up.
          </p>
        </>
      ) : (
        <>
          <p className="text-sm font-medium text-slate-800">The audit trail is visible to administrators only.</p>
          <p className="mt-1 text-sm text-slate-500">
            MSSP admins see every tenant they operate; tenant admins see their own tenant and its sites. Ask an admin if you
            need an event looked up.
          </p>
        </>
      )}
    </div>
  );
}
