"use client";
// The team of one tenant: members with their roles, open invitations, and the
// invite form. Every control posts to a server action that re-checks
// everything (PDP, RLS, rank, last admin); the UI only hides what won't work.
import { ConfirmedForm } from "@/components/ui/confirmed-form";
import { RowRemovalForm, RowRemovals, useRowRemoval } from "@/components/ui/row-removals";
import { useActionState, useState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import type { Role } from "@/drizzle/schema";
import { idle, type ActionResult } from "@/lib/actions/result";
import { changeMemberRole } from "@/lib/actions/team/change-member-role";
import { inviteMember } from "@/lib/actions/team/invite-member";
import { removeMember } from "@/lib/actions/team/remove-member";
import { resendInvitation } from "@/lib/actions/team/resend-invitation";
import { revokeInvitation } from "@/lib/actions/team/revoke-invitation";
import { roleLabel } from "@/components/tenants/role-label";
import { TableScroll } from "@/components/ui/table-scroll";
import { formatTime } from "@/lib/locale/time";
import { FieldError, ResultMessage, SubmitButton } from "./form-bits";

export interface TeamPanelProps {
  tenantId: string;
  tenantName: string;
  currentUserId: string;
  grantable: Role[];
  members: { userId: string; email: string; name: string; role: Role; since: string }[];
  invitations: { id: string; email: string; role: Role; expiresAt: string; expired: boolean }[];
  /** The page's zone (lib/locale): a start or an expiry is the day it falls on there. */
  timeZone: string;
}

function InviteForm({ tenantId, grantable }: { tenantId: string; grantable: Role[] }) {
  const [state, action] = useActionState(inviteMember, idle as ActionResult<{ email: string; expiresAt: string }>);
  const keptAction = useKeptForm(state, action);
  // Controlled, so a refused submission keeps what was typed (React resets
  // uncontrolled fields after a form action).
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>(grantable[grantable.length - 1]);
  return (
    <form action={action} {...keptAction} noValidate className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-label="Invite a member">
      <h2 className="text-sm font-semibold text-slate-800">Invite someone</h2>
      <p className="mt-1 text-xs text-slate-500">They get an email with a single-use link that expires in 7 days; accepting it asks for a code sent to the same address.</p>
      <input type="hidden" name="tenantId" value={tenantId} />
      <div className="mt-3 flex flex-wrap items-start gap-3">
        <label className="flex flex-col text-xs font-medium text-slate-600">
          Email
          <input name="email" type="email" required placeholder="name@company.com" value={email} onChange={(e) => setEmail(e.target.value)} className="mt-1 w-64 rounded-lg border border-slate-300 px-3 py-1.5 text-sm" />
          <FieldError state={state} name="email" />
        </label>
        <label className="flex flex-col text-xs font-medium text-slate-600">
          Role
          <select name="role" value={role} onChange={(e) => setRole(e.target.value as Role)} className="mt-1 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm">
            {grantable.map((r) => (
              <option key={r} value={r}>
                {roleLabel(r)}
              </option>
            ))}
          </select>
          <FieldError state={state} name="role" />
        </label>
        <div className="mt-5">
          <SubmitButton pendingLabel="Inviting…">Send invitation</SubmitButton>
        </div>
      </div>
      <div className="mt-3">
        <ResultMessage state={state} />
      </div>
    </form>
  );
}

function MemberRowView(props: { tenantId: string; member: TeamPanelProps["members"][number]; grantable: Role[]; isMe: boolean; timeZone: string }) {
  const [roleState, roleAction] = useActionState(changeMemberRole, idle as ActionResult);
  // Not reset on success: a reset shows the select's first default (the role before the change) beside
  // "Role updated", and a second Save would silently revert it.
  const keptRoleAction = useKeptForm(roleState, roleAction, { resetOnSuccess: false });
  const removeAction = useRowRemoval();
  const { member } = props;
  const canManage = props.grantable.includes(member.role);
  return (
    // On a phone the row's cells wrap under the name (a flex row) so Save and Remove stay on screen.
    <tr data-testid={`member-${member.email}`} className="flex flex-wrap items-center py-1 sm:table-row sm:py-0">
      <td className="w-full px-4 py-2.5 sm:w-auto">
        <div className="font-medium text-slate-800">{member.name || member.email}</div>
        <div className="text-xs text-slate-500">
          {member.email}
          {props.isMe && " · you"}
        </div>
      </td>
      <td className="px-4 py-2.5">
        {canManage ? (
          <form action={roleAction} {...keptRoleAction} className="flex items-center gap-2">
            <input type="hidden" name="tenantId" value={props.tenantId} />
            <input type="hidden" name="userId" value={member.userId} />
            <select name="role" defaultValue={member.role} aria-label={`Role of ${member.email}`} className="rounded-lg border border-slate-300 bg-white px-2 py-1 text-sm">
              {props.grantable.map((r) => (
                <option key={r} value={r}>
                  {roleLabel(r)}
                </option>
              ))}
            </select>
            <SubmitButton tone="quiet" pendingLabel="Saving…">
              Save
            </SubmitButton>
          </form>
        ) : (
          <span className="text-sm text-slate-700">{roleLabel(member.role)}</span>
        )}
        <ResultMessage state={roleState} />
      </td>
      {/* The table has no header row: the day says what it is (the day they joined, in the page's zone). */}
      <td className="px-4 py-2.5 text-sm text-slate-500">member since {formatTime(new Date(member.since), props.timeZone, "day")}</td>
      <td className="px-4 py-2.5 text-right">
        {canManage && (
          <ConfirmedForm action={removeAction} question={`Remove ${member.email} from this tenant?`}>
            <input type="hidden" name="tenantId" value={props.tenantId} />
            <input type="hidden" name="userId" value={member.userId} />
            <SubmitButton tone="danger" pendingLabel="Removing…" aria-label={`Remove ${member.email}`}>
              Remove
            </SubmitButton>
          </ConfirmedForm>
        )}
      </td>
    </tr>
  );
}

function InvitationRowView({ tenantId, invitation, canRevoke, timeZone }: { tenantId: string; invitation: TeamPanelProps["invitations"][number]; canRevoke: boolean; timeZone: string }) {
  const [resent, resend] = useActionState(resendInvitation, idle as ActionResult<{ email: string }>);
  const keptResend = useKeptForm(resent, resend);
  return (
    <li className="flex items-center justify-between px-4 py-2.5" data-testid={`invitation-${invitation.email}`}>
      <div>
        <span className="font-medium text-slate-800">{invitation.email}</span>
        <span className="ml-2 text-sm text-slate-500">{roleLabel(invitation.role)}</span>
        <span className={`ml-2 text-xs ${invitation.expired ? "text-red-600" : "text-slate-500"}`}>
          {invitation.expired ? "expired" : `expires ${formatTime(new Date(invitation.expiresAt), timeZone, "day")}`}
        </span>
      </div>
      {canRevoke && (
        <div className="flex items-start gap-2">
          <form action={resend} {...keptResend}>
            <input type="hidden" name="tenantId" value={tenantId} />
            <input type="hidden" name="invitationId" value={invitation.id} />
            <SubmitButton tone="quiet" pendingLabel="Sending…" aria-label={`Resend the invitation to ${invitation.email}`}>
              Resend
            </SubmitButton>
            <ResultMessage state={resent} />
          </form>
          <RowRemovalForm fields={{ tenantId, invitationId: invitation.id }}>
            <SubmitButton tone="quiet" pendingLabel="Revoking…" aria-label={`Revoke the invitation to ${invitation.email}`}>
              Revoke
            </SubmitButton>
          </RowRemovalForm>
        </div>
      )}
    </li>
  );
}

export function TeamPanel(props: TeamPanelProps) {
  return (
    <div className="space-y-6">
      {props.grantable.length > 0 && <InviteForm tenantId={props.tenantId} grantable={props.grantable} />}
      <section className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
        <h2 className="border-b border-slate-200 bg-slate-50 px-4 py-2.5 text-sm font-semibold text-slate-700">
          Members of {props.tenantName} ({props.members.length})
        </h2>
        <RowRemovals action={removeMember} testId="member-removal-answer" answerClassName="mx-4 mt-3">
          {props.members.length === 0 ? (
            <p className="p-6 text-sm text-slate-500">Nobody holds a role directly on this tenant. Roles held on a parent tenant still apply here.</p>
          ) : (
            <TableScroll label="Members"><table className="min-w-full divide-y divide-slate-100 text-sm" data-testid="members-table">
              <tbody className="divide-y divide-slate-100">
                {props.members.map((m) => (
                  <MemberRowView key={m.userId} tenantId={props.tenantId} member={m} grantable={props.grantable} isMe={m.userId === props.currentUserId} timeZone={props.timeZone} />
                ))}
              </tbody>
            </table></TableScroll>
          )}
        </RowRemovals>
      </section>
      <section className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
        <h2 className="border-b border-slate-200 bg-slate-50 px-4 py-2.5 text-sm font-semibold text-slate-700">Open invitations</h2>
        <RowRemovals action={revokeInvitation} testId="invitation-removal-answer" answerClassName="mx-4 mt-3">
          {props.invitations.length === 0 ? (
            <p className="p-6 text-sm text-slate-500">No open invitations.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {props.invitations.map((i) => (
                <InvitationRowView key={i.id} tenantId={props.tenantId} invitation={i} canRevoke={props.grantable.includes(i.role)} timeZone={props.timeZone} />
              ))}
            </ul>
          )}
        </RowRemovals>
      </section>
    </div>
  );
}
