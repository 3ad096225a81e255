// The one wrapper every mutating server action goes through:
//   1. parse the form with zod (bad input: field messages, nothing touched)
//   2. the signed-in user, and the host's tenant as the active tenant
//   3. inside one withTenant transaction: load the target tenant under RLS,
//      ask the PDP (lib/authz), run the change, write its audit row
//   4. a refusal (PDP deny, PDP down, a rule the database enforces) writes a
//      "denied" audit row in its own transaction and returns a clear message
// Authority never comes from the form: the target tenant must be visible to
// the caller under RLS and allowed by the PDP, and the database re-checks.
import { headers } from "next/headers";
import { z } from "zod";
import { recordAudit, recordDenied } from "@/lib/audit/record";
import { getSessionUser, type SessionUser } from "@/lib/auth/session";
import {
  AuthorizationError,
  isAuthorizationError,
  isPdpUnavailable,
  principalFromClaims,
  requireAction,
  tenantResource,
  type Action,
  type TenantResource,
} from "@/lib/authz";
import type { Claims } from "@/lib/db/claims";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { log, safeError, secretsIn } from "@/lib/log";
import { hostTarget } from "@/lib/tenancy/host";
import { TenantNotNamed } from "@/lib/tenancy/tenant-filter";
import { findTenantBySlug } from "@/lib/tenancy/resolve-host";
import { ActionRefusal } from "./refusal";
import { fieldErrorsOf, formToObject, type ActionResult } from "./result";

export interface ActionContext<I> {
  tx: TenantTx;
  input: I;
  tenant: TenantResource;
  user: SessionUser;
}

export interface ActionOutcome<T> {
  data: T;
  message?: string;
  /** What the audit row records about the change (never secrets; lib/audit scrubs too). */
  target?: { type: string; id: string };
  details?: Record<string, unknown>;
  /**
   * Work to do after the transaction (with its audit row) has committed,
   * outside any transaction, e.g. a call to a vendor that may take seconds.
   * Its answer replaces data and message; if it throws, the person gets the
   * generic failure (the committed change and audit row stay).
   */
  afterCommit?: () => Promise<{ data: T; message?: string }>;
}

/** A refusal a person should read (a domain rule, not a bug). */
function refusalMessage(error: unknown): string | null {
  if (error instanceof ActionRefusal) return error.message;
  if (isPdpUnavailable(error)) return error.message;
  if (isAuthorizationError(error)) return "You don't have permission to do that here.";
  return null;
}

async function hostActiveTenantId(): Promise<string | null | "unknown"> {
  const target = hostTarget(await headers());
  if (target.area === "console") return null;
  if (target.area === "unknown") return "unknown";
  return (await findTenantBySlug(target.slug))?.id ?? "unknown";
}

/**
 * Where a refusal is recorded: the target tenant if the caller can see it,
 * else their own (active, then first) tenant, else the tenant of the host
 * they came through, else the tenant they named. The last two are for a
 * signed-in person with no role anywhere (an invitee who never accepted, a
 * removed member): their attempts were recorded nowhere before, and the
 * tenant asked about is the one whose admins should see them.
 */
function auditTenantFor(claims: Claims | null, visibleTarget: string | null, hostTenant: string | null, requested: string): string {
  return visibleTarget ?? claims?.tenant_id ?? claims?.tenants[0]?.tenant_id ?? hostTenant ?? requested;
}

export function tenantAction<S extends z.ZodObject<{ tenantId: z.ZodString }>, T>(
  spec: {
    action: Action;
    audit: string;
    schema: S;
    /**
     * For a form whose tenant field may hold a name or slug typed in place of an id (past
     * TENANT_SELECT_UP_TO tenants, lib/tenancy/tenant-filter.ts): the id it names, resolved in the
     * caller's transaction among the tenants they may act on, or a TenantNotNamed. The guard goes on
     * with that id (RLS and the PDP decide as for an id posted).
     */
    tenantOf?: (tx: TenantTx, typed: string) => Promise<string>;
  },
  run: (ctx: ActionContext<z.infer<S>>) => Promise<ActionOutcome<T>>,
): (previous: ActionResult<T>, form: FormData) => Promise<ActionResult<T>> {
  return async (_previous, form) => {
    const parsed = spec.schema.safeParse(formToObject(form));
    if (!parsed.success) {
      return { ok: false, error: "Check the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error) };
    }
    const input = parsed.data as z.infer<S>;
    const user = await getSessionUser();
    if (!user) return { ok: false, error: "Your session has ended. Sign in again; nothing was changed." };
    const active = await hostActiveTenantId();
    if (active === "unknown") return { ok: false, error: "This portal address is not known." };

    let claims: Claims | null = null;
    let visibleTarget: string | null = null;
    try {
      const outcome = await withTenant(
        { userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: active },
        async (tx) => {
          claims = tx.claims;
          if (active !== null && tx.claims.tenant_id !== active) throw new AuthorizationError(spec.action, input.tenantId);
          if (spec.tenantOf) input.tenantId = await spec.tenantOf(tx, input.tenantId);
          const tenant = await tenantResource(tx.db, input.tenantId);
          if (!tenant) throw new AuthorizationError(spec.action, input.tenantId);
          visibleTarget = tenant.id;
          await requireAction(principalFromClaims(tx.claims), spec.action, tenant);
          const result = await run({ tx, input, tenant, user });
          await recordAudit(tx, {
            tenantId: tenant.id,
            action: spec.audit,
            targetType: result.target?.type,
            targetId: result.target?.id,
            outcome: "success",
            details: result.details,
          });
          return result;
        },
      );
      if (outcome.afterCommit) {
        const later = await outcome.afterCommit();
        return { ok: true, data: later.data, message: later.message };
      }
      return { ok: true, data: outcome.data, message: outcome.message };
    } catch (error) {
      // A typed tenant naming none or several: bad input, answered like a field zod rejects.
      if (error instanceof TenantNotNamed) return { ok: false, error: "Check the highlighted fields.", fieldErrors: { [error.field]: [error.message] } };
      const message = refusalMessage(error);
      if (message === null) {
        log.error({ event: "action.failed", action: spec.audit, err: safeError(error, secretsIn(input)) }, `action ${spec.audit} failed`);
        return { ok: false, error: "Something went wrong; nothing was changed. Try again, and tell your admin if it keeps happening." };
      }
      const auditTenant = auditTenantFor(claims, visibleTarget, active, input.tenantId);
      await recordDenied(
        { userId: user.id, email: user.email },
        {
          tenantId: auditTenant,
          action: spec.audit,
          details: {
            reason: isPdpUnavailable(error) ? "pdp_unavailable" : error instanceof ActionRefusal ? "rule" : "pdp_deny",
            requested_tenant_id: input.tenantId,
            ...(error instanceof ActionRefusal ? error.details : undefined),
          },
        },
      ).catch((e) =>
        // 23503: the tenant named does not exist, so there is no trail to keep it in.
        (e as { code?: string }).code === "23503"
          ? log.warn({ event: "audit.denied-unknown-tenant", action: spec.audit }, `denied ${spec.audit} named no existing tenant; not recorded`)
          : log.error({ event: "audit.denied-not-recorded", action: spec.audit, err: safeError(e) }, `could not record denied ${spec.audit}`),
      );
      return { ok: false, error: message };
    }
  };
}
