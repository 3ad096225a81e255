"use server";
// "New customer" / "Add site": tenants:provision on the parent (the form's
// tenantId), then the tenant row and its provisioning workflow (lib/lifecycle).
// Past TENANT_SELECT_UP_TO tenants the console's form lists only the MSSPs, and
// a site's parent comes typed (a name or address) in tenantId's place: the
// guard resolves it in the caller's transaction (lib/lifecycle/parent-choice.ts),
// then RLS, the PDP and the audit row decide as for an id posted.
import { provisionTenant as provision } from "@/lib/lifecycle/provision";
import { provisionFormSchema, provisionParentOf } from "@/lib/lifecycle/parent-choice";
import { tenantAction } from "../guard";
import { asLifecycle } from "./service";

export interface ProvisionedView {
  tenantId: string;
  slug: string;
  name: string;
  jobId: string;
  invitationTo: string;
  created: boolean;
}

export const provisionTenant = tenantAction(
  { action: "tenants:provision", audit: "tenant.provision-requested", schema: provisionFormSchema, tenantOf: provisionParentOf },
  async ({ input, user }) => {
    const p = await asLifecycle((db) => provision(db, input, user.id));
    return {
      data: { tenantId: p.tenant.id, slug: p.tenant.slug, name: p.tenant.name, jobId: p.job.id, invitationTo: p.invitationTo, created: p.created },
      message: p.created ? `${p.tenant.name} is being provisioned.` : `${p.tenant.name} is already being provisioned; showing its progress.`,
      target: { type: "tenant", id: p.tenant.id },
      details: { slug: p.tenant.slug, kind: p.tenant.kind, plan: p.tenant.plan, admin_email: p.invitationTo, job_id: p.job.id, repeated: !p.created },
    };
  },
);
