"use server";
// Move a tenant (with its subtree) under another parent: tenants:move on the
// tenant (the guard) and on the new parent (here), so a cross-MSSP move needs
// an admin of both MSSPs. Audited on the tenant and, for a cross-MSSP move,
// on the old MSSP too (its staff lose access at their next request).
// Past TENANT_SELECT_UP_TO candidates the form takes the new parent typed as a
// name or address (lib/lifecycle/move-targets.ts): resolved here, in the
// caller's transaction, before the PDP is asked about it as about an id posted.
import { recordAuditAs } from "@/lib/audit/record";
import { principalFromClaims, requireAction, tenantResource } from "@/lib/authz";
import { LifecycleRefusal } from "@/lib/lifecycle/errors";
import { moveTenant as move } from "@/lib/lifecycle/move";
import { moveFormSchema, moveParentOf } from "@/lib/lifecycle/move-targets";
import { tenantAction } from "../guard";
import { asLifecycle } from "./service";

export const moveTenant = tenantAction(
  { action: "tenants:move", audit: "tenant.moved", schema: moveFormSchema },
  async ({ tx, input, user }) => {
    input.newParentId = await moveParentOf(tx, input.tenantId, input.newParentId);
    const destination = await tenantResource(tx.db, input.newParentId);
    if (!destination) throw new LifecycleRefusal("The new parent does not exist, or you cannot see it.");
    await requireAction(principalFromClaims(tx.claims), "tenants:move", destination);
    const moved = await asLifecycle(async (db) => {
      const m = await move(db, input.tenantId, input.newParentId);
      if (m.crossMssp) {
        await recordAuditAs(db, user.id, {
          tenantId: m.from.rootId,
          action: "tenant.moved-out",
          targetType: "tenant",
          targetId: m.tenant.id,
          outcome: "success",
          details: { slug: m.tenant.slug, to_mssp: m.to.rootSlug, subtree: m.subtreeSize },
        });
      }
      return m;
    });
    return {
      data: { path: moved.tenant.path },
      message:
        `${moved.tenant.name} moved under ${moved.to.name}${moved.crossMssp ? ` (now run by ${moved.to.rootSlug}; its keys were re-wrapped)` : ""}.` +
        (moved.settingsRemoved > 0
          ? ` ${moved.settingsRemoved} setting${moved.settingsRemoved === 1 ? "" : "s"} set in it ${moved.settingsRemoved === 1 ? "was" : "were"} removed: locked or required above it now.`
          : ""),
      target: { type: "tenant", id: moved.tenant.id },
      details: { from: moved.from.slug, to: moved.to.slug, cross_mssp: moved.crossMssp, subtree: moved.subtreeSize, settings_removed: moved.settingsRemoved },
    };
  },
);
