"use client";
// The lifecycle actions of one tenant, each a small form with its own
// confirmation and result: suspend (reason) / resume, offboard (typed name,
// grace period) / call it off, move (new parent: a list, or typed past 50). The server action decides;
// these only collect what it needs. The page reloads its data on success.
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { typedTenantPlaceholder } from "@/components/tenants/tenant-filter";
import { cancelOffboarding, offboardTenant } from "@/lib/actions/lifecycle/offboard-tenant";
import { moveTenant } from "@/lib/actions/lifecycle/move-tenant";
import { resumeTenant, suspendTenant } from "@/lib/actions/lifecycle/suspend-tenant";
import { idle, type ActionResult } from "@/lib/actions/result";
import { formatTimeWithZone } from "@/lib/locale/time";
import type { TenantStatus } from "@/lib/lifecycle/states";

type Action<T> = (previous: ActionResult<T>, form: FormData) => Promise<ActionResult<T>>;
const field = "mt-1 block w-full rounded-lg border border-slate-300 px-3 py-1.5 text-sm";

function useLifecycleAction<T>(action: Action<T>) {
  const router = useRouter();
  const [state, run] = useActionState(action, idle as ActionResult<T>);
  useEffect(() => {
    if (state.ok) router.refresh();
  }, [state, router]);
  return [state, run] as const;
}

function Card(props: { title: string; children: React.ReactNode; tone?: "danger" }) {
  return (
    <section className={`rounded-xl border bg-white p-4 shadow-sm ${props.tone === "danger" ? "border-red-200" : "border-slate-200"}`}>
      <h3 className={`mb-2 text-sm font-semibold ${props.tone === "danger" ? "text-red-800" : "text-slate-800"}`}>{props.title}</h3>
      {props.children}
    </section>
  );
}

export function SuspendControls(props: { tenantId: string; name: string; status: TenantStatus }) {
  const [suspended, suspend] = useLifecycleAction(suspendTenant);
  // Controlled fields here and below: a refused submission keeps what was typed.
  const [reason, setReason] = useState("");
  const [resumed, resume] = useLifecycleAction(resumeTenant);
  if (props.status === "suspended") {
    return (
      <Card title="Suspended">
        <p className="mb-2 text-sm text-slate-600">Its users and its sites&apos; users cannot work in it until it is resumed.</p>
        <form action={resume} className="flex items-center gap-3" aria-label={`Resume ${props.name}`}>
          <input type="hidden" name="tenantId" value={props.tenantId} />
          <SubmitButton pendingLabel="Resuming…">Resume {props.name}</SubmitButton>
          <ResultMessage state={resumed} />
        </form>
      </Card>
    );
  }
  if (props.status !== "active") return null;
  return (
    <Card title="Suspend">
      <p className="mb-2 text-sm text-slate-600">
        Its users, and the users of every site below it, lose access at their next click and see a page saying the account is
        suspended. You keep read access; nothing is deleted.
      </p>
      <form action={suspend} className="space-y-2" aria-label={`Suspend ${props.name}`}>
        <input type="hidden" name="tenantId" value={props.tenantId} />
        <label className="block text-sm text-slate-700">
          Reason (shown to staff, kept in the audit trail)
          <input name="reason" required minLength={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} className={field} placeholder="Invoice 2026-11 unpaid" />
        </label>
        <FieldError state={suspended} name="reason" />
        <div className="flex items-center gap-3">
          <SubmitButton tone="danger" pendingLabel="Suspending…">
            Suspend {props.name}
          </SubmitButton>
          <ResultMessage state={suspended} />
        </div>
      </form>
    </Card>
  );
}

export function OffboardControls(props: {
  tenantId: string;
  name: string;
  status: TenantStatus;
  deprovisionAfter: string | null;
  /** Still within the grace period (decided on the server, when the page was rendered). */
  inGracePeriod: boolean;
  /** The page's zone, the end of the grace period is shown in. */
  timeZone: string;
}) {
  const [started, offboard] = useLifecycleAction(offboardTenant);
  const [cancelled, cancel] = useLifecycleAction(cancelOffboarding);
  const [confirmName, setConfirmName] = useState("");
  const [graceDays, setGraceDays] = useState("30");
  if (props.status === "deprovisioning" && !props.inGracePeriod) {
    return (
      <Card title="Offboarding" tone="danger">
        <p className="text-sm text-slate-600">
          The grace period is over: its data is being exported and removed (see the timeline). It can no longer be called off.
        </p>
      </Card>
    );
  }
  if (props.status === "deprovisioning") {
    return (
      <Card title="Offboarding" tone="danger">
        <p className="mb-2 text-sm text-slate-600">
          Locked. Its data is exported, its keys destroyed and its rows removed{" "}
          {props.deprovisionAfter ? (
            <>
              after{" "}
              <strong>
                <time dateTime={props.deprovisionAfter}>{formatTimeWithZone(new Date(props.deprovisionAfter), props.timeZone)}</time>
              </strong>
            </>
          ) : (
            "soon"
          )}. Until then it can be called off.
        </p>
        <form action={cancel} className="flex items-center gap-3" aria-label={`Call off the offboarding of ${props.name}`}>
          <input type="hidden" name="tenantId" value={props.tenantId} />
          <SubmitButton tone="quiet" pendingLabel="Calling off…">
            Call off the offboarding
          </SubmitButton>
          <ResultMessage state={cancelled} />
        </form>
      </Card>
    );
  }
  if (props.status !== "active" && props.status !== "suspended") return null;
  return (
    <Card title="Offboard" tone="danger">
      <p className="mb-2 text-sm text-slate-600">
        Locks {props.name} and everything below it at once. When the grace period ends, its archive is exported, every data key is
        destroyed (credentials become unreadable for good) and every row is removed, with the notifications about its alerts sent to
        channels above it; its finalized invoices stay, as billing records. The audit trail stays readable to you.
      </p>
      <form action={offboard} className="grid gap-2 sm:grid-cols-3" aria-label={`Offboard ${props.name}`}>
        <input type="hidden" name="tenantId" value={props.tenantId} />
        <label className="text-sm text-slate-700 sm:col-span-2">
          Type <strong>{props.name}</strong> to confirm
          <input name="confirmName" required autoComplete="off" value={confirmName} onChange={(e) => setConfirmName(e.target.value)} className={field} />
          <FieldError state={started} name="confirmName" />
        </label>
        <label className="text-sm text-slate-700">
          Grace period (days)
          <input name="graceDays" type="number" min={0} max={90} value={graceDays} onChange={(e) => setGraceDays(e.target.value)} className={field} />
          <FieldError state={started} name="graceDays" />
        </label>
        <div className="flex items-center gap-3 sm:col-span-3">
          <SubmitButton tone="danger" pendingLabel="Starting…">
            Offboard {props.name}
          </SubmitButton>
          <ResultMessage state={started} />
        </div>
      </form>
    </Card>
  );
}

export interface MoveTarget {
  id: string;
  label: string;
}

/**
 * `typedAmong` (past TENANT_SELECT_UP_TO possible parents, lib/lifecycle/move-targets.ts): no list; the
 * new parent is typed as its name or address and the action resolves it among the same candidates.
 */
export function MoveControls(props: { tenantId: string; name: string; targets: MoveTarget[]; typedAmong?: number | null }) {
  const [moved, move] = useLifecycleAction(moveTenant);
  const [target, setTarget] = useState("");
  const typed = props.typedAmong != null;
  if (props.targets.length === 0 && !typed) return null;
  return (
    <Card title="Move">
      <p className="mb-2 text-sm text-slate-600">
        Moves {props.name} with its sites. To another MSSP, its data keys are re-wrapped under that MSSP&apos;s key and the old
        MSSP&apos;s staff lose access at their next click.
      </p>
      <form action={move} className="flex flex-wrap items-end gap-3" aria-label={`Move ${props.name}`}>
        <input type="hidden" name="tenantId" value={props.tenantId} />
        <label className="min-w-64 flex-1 text-sm text-slate-700">
          New parent
          {typed ? (
            <input
              name="newParentId"
              required
              maxLength={100}
              className={field}
              value={target}
              onChange={(e) => setTarget(e.target.value)}
              placeholder={typedTenantPlaceholder(props.typedAmong!, "possible parents")}
            />
          ) : (
            <select name="newParentId" required className={field} value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="" disabled>
                Choose…
              </option>
              {props.targets.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.label}
                </option>
              ))}
            </select>
          )}
          <FieldError state={moved} name="newParentId" />
        </label>
        <SubmitButton tone="quiet" pendingLabel="Moving…">
          Move
        </SubmitButton>
        <ResultMessage state={moved} />
      </form>
    </Card>
  );
}
