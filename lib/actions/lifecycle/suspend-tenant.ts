"use server";
// Suspend or resume a customer or site (tenants:suspend). The reason is kept
// on the tenant and in the audit row.
import { resumeSchema, suspendSchema } from "@/lib/lifecycle/schemas";
import { resumeTenant as resume, suspendTenant as suspend } from "@/lib/lifecycle/suspend";
import { tenantAction } from "../guard";
import { asLifecycle } from "./service";

export const suspendTenant = tenantAction(
  { action: "tenants:suspend", audit: "tenant.suspended", schema: suspendSchema },
  async ({ input, user }) => {
    const change = await asLifecycle((db) => suspend(db, input.tenantId, input.reason, user.id));
    const below = change.below > 0 ? ` and ${change.below} tenant${change.below === 1 ? "" : "s"} below it` : "";
    return {
      data: { status: change.tenant.status },
      message: `${change.tenant.name}${below} suspended: its users are signed out of its data at their next click.`,
      target: { type: "tenant", id: change.tenant.id },
      details: { reason: input.reason, below: change.below },
    };
  },
);

export const resumeTenant = tenantAction(
  { action: "tenants:suspend", audit: "tenant.resumed", schema: resumeSchema },
  async ({ input, user }) => {
    const change = await asLifecycle((db) => resume(db, input.tenantId, user.id));
    return {
      data: { status: change.tenant.status },
      message: `${change.tenant.name} is active again.`,
      target: { type: "tenant", id: change.tenant.id },
      details: { below: change.below },
    };
  },
);
