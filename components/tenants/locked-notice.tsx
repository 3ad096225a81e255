// What a suspended or offboarded tenant's people see: that it is locked, not
// why in detail (the reason is for staff), and whom to contact.
import type { HostTenant } from "@/lib/tenancy/resolve-host";

const WHAT: Record<NonNullable<HostTenant["lockedAs"]>, string> = {
  suspended: "is suspended",
  deprovisioning: "is being closed",
  deprovisioned: "has been closed",
  provisioning: "is being set up and is not open yet",
};

export function LockedNotice({ tenant }: { tenant: HostTenant }) {
  if (!tenant.lockedAs) return null;
  return (
    <div role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900" data-testid="tenant-locked" data-locked-as={tenant.lockedAs}>
      <p className="font-semibold">The {tenant.name} account {WHAT[tenant.lockedAs]}.</p>
      <p className="mt-1">
        {tenant.lockedAs === "provisioning"
          ? "You will be able to sign in once it is ready."
          : `Its portal and data are not available. Contact ${tenant.providerName}, your security service provider, about it.`}
      </p>
    </div>
  );
}
