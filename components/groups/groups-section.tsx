"use client";
// The Groups section of the team page: a tenant's assignee groups ("Tier 1
// SOC"), who is in each, and the groups it inherits from above. Rules and
// analysts give alerts to a group (docs/alert-triage.md#groups). Every
// control posts to a server action that checks again (zod, PDP users:manage,
// RLS, the database's eligibility rule); the page only hides what won't work.
import { ConfirmedForm } from "@/components/ui/confirmed-form";
import { RowRemovals, useRowRemoval } from "@/components/ui/row-removals";
import { useActionState, useState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { addGroupMember } from "@/lib/actions/groups/add-group-member";
import { createGroup } from "@/lib/actions/groups/create-group";
import { deleteGroup } from "@/lib/actions/groups/delete-group";
import { removeGroupMember } from "@/lib/actions/groups/remove-group-member";
import { renameGroup } from "@/lib/actions/groups/rename-group";
import { idle, type ActionResult } from "@/lib/actions/result";

export interface GroupsSectionProps {
  tenantId: string;
  tenantName: string;
  groups: { id: string; name: string; members: { userId: string; name: string; email: string }[] }[];
  inherited: { id: string; name: string; tenantName: string; memberCount: number }[];
  candidates: { id: string; name: string; email: string }[];
}

const input = "mt-1 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm";
const who = (p: { name: string; email: string }) => (p.name ? `${p.name} (${p.email})` : p.email);

function Hidden(props: Record<string, string>) {
  return (
    <>
      {Object.entries(props).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
    </>
  );
}

function CreateGroupForm({ tenantId }: { tenantId: string }) {
  const [state, action] = useActionState(createGroup, idle as ActionResult<{ id: string }>);
  const keptAction = useKeptForm(state, action);
  const [name, setName] = useState("");
  return (
    <form action={action} {...keptAction} noValidate className="flex flex-wrap items-end gap-3" aria-label="Create a group">
      <Hidden tenantId={tenantId} />
      <label className="flex flex-col text-xs font-medium text-slate-600">
        New group name
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} maxLength={80} placeholder="Tier 1 SOC" className={`${input} w-64`} />
        <FieldError state={state} name="name" />
      </label>
      <SubmitButton pendingLabel="Creating…">Create group</SubmitButton>
      <ResultMessage state={state} />
    </form>
  );
}

function MemberChip(props: { tenantId: string; groupId: string; groupName: string; member: { userId: string; name: string; email: string } }) {
  const remove = useRowRemoval();
  const label = props.member.name || props.member.email || "someone you cannot see";
  return (
    <li className="inline-flex items-center rounded-full bg-slate-100 py-0.5 pl-3 pr-1 text-sm ring-1 ring-slate-200" data-testid="group-member">
      <span className="text-slate-800" title={props.member.email}>
        {label}
      </span>
      <form action={remove} className="inline">
        <Hidden tenantId={props.tenantId} groupId={props.groupId} userId={props.member.userId} />
        <button type="submit" className="ml-1 rounded px-1.5 text-slate-500 hover:text-red-700" aria-label={`Remove ${label} from ${props.groupName}`}>
          ×
        </button>
      </form>
    </li>
  );
}

function GroupCard(props: { tenantId: string; group: GroupsSectionProps["groups"][number]; candidates: GroupsSectionProps["candidates"] }) {
  const { group } = props;
  const [renameState, renameAction] = useActionState(renameGroup, idle as ActionResult);
  const keptRenameAction = useKeptForm(renameState, renameAction);
  const [addState, addAction] = useActionState(addGroupMember, idle as ActionResult);
  const keptAddAction = useKeptForm(addState, addAction);
  const deleteAction = useRowRemoval();
  const [renaming, setRenaming] = useState(false);
  const inGroup = new Set(group.members.map((m) => m.userId));
  const addable = props.candidates.filter((c) => !inGroup.has(c.id));
  return (
    <li className="space-y-3 px-4 py-3" data-testid="group-row" data-group={group.name}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        {renaming ? (
          <form action={renameAction} {...keptRenameAction} className="flex flex-wrap items-end gap-2" aria-label={`Rename ${group.name}`}>
            <Hidden tenantId={props.tenantId} groupId={group.id} />
            <label className="flex flex-col text-xs font-medium text-slate-600">
              Group name
              <input name="name" defaultValue={group.name} maxLength={80} className={`${input} w-56`} />
              <FieldError state={renameState} name="name" />
            </label>
            <SubmitButton tone="quiet" pendingLabel="Saving…">
              Save name
            </SubmitButton>
            <button type="button" className="px-2 py-1.5 text-sm text-slate-600 hover:text-slate-900" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <h3 className="text-sm font-semibold text-slate-900">
            {group.name} <span className="font-normal text-slate-500">· {group.members.length} {group.members.length === 1 ? "member" : "members"}</span>
          </h3>
        )}
        <div className="flex items-start gap-2">
          {!renaming && (
            <button type="button" className="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50" onClick={() => setRenaming(true)} aria-label={`Rename ${group.name}`}>
              Rename
            </button>
          )}
          <ConfirmedForm action={deleteAction} question={`Delete the group "${group.name}"? Alerts assigned to it lose their group, and rules that assign it will skip it.`}>
            <Hidden tenantId={props.tenantId} groupId={group.id} />
            <SubmitButton tone="danger" pendingLabel="Deleting…" aria-label={`Delete ${group.name}`}>
              Delete
            </SubmitButton>
          </ConfirmedForm>
        </div>
      </div>
      <ResultMessage state={renameState} />
      <RowRemovals action={removeGroupMember} testId="group-member-removal-answer">
        {group.members.length === 0 ? (
          <p className="text-sm text-slate-500">Nobody in this group yet. Add the analysts who should pick up its alerts.</p>
        ) : (
          <ul className="flex flex-wrap gap-2" aria-label={`Members of ${group.name}`}>
            {group.members.map((m) => (
              <MemberChip key={m.userId} tenantId={props.tenantId} groupId={group.id} groupName={group.name} member={m} />
            ))}
          </ul>
        )}
      </RowRemovals>
      {addable.length > 0 && (
        <form action={addAction} {...keptAddAction} className="flex flex-wrap items-end gap-2" aria-label={`Add a member to ${group.name}`}>
          <Hidden tenantId={props.tenantId} groupId={group.id} />
          <label className="flex flex-col text-xs font-medium text-slate-600">
            Add a member
            <select name="userId" className={input} defaultValue={addable[0].id}>
              {addable.map((c) => (
                <option key={c.id} value={c.id}>
                  {who(c)}
                </option>
              ))}
            </select>
            <FieldError state={addState} name="userId" />
          </label>
          <SubmitButton tone="quiet" pendingLabel="Adding…">
            Add
          </SubmitButton>
          <ResultMessage state={addState} />
        </form>
      )}
    </li>
  );
}

export function GroupsSection(props: GroupsSectionProps) {
  return (
    <section className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm" aria-labelledby="groups-heading" data-testid="groups-section">
      <div className="border-b border-slate-200 bg-slate-50 px-4 py-2.5">
        <h2 id="groups-heading" className="text-sm font-semibold text-slate-700">
          Groups of {props.tenantName} ({props.groups.length})
        </h2>
        <p className="mt-0.5 text-xs text-slate-500">
          Alerts can be given to a group (by an analyst on the alert, or by a workflow rule) instead of one person; its members are emailed when a rule does. A group also
          serves the sites below this tenant.
        </p>
      </div>
      <div className="px-4 py-3">
        <CreateGroupForm tenantId={props.tenantId} />
      </div>
      <RowRemovals action={deleteGroup} testId="group-removal-answer" answerClassName="mx-4 mb-3">
        {props.groups.length === 0 ? (
          <p className="border-t border-slate-100 px-4 py-4 text-sm text-slate-500" data-testid="groups-empty">
            No groups yet. Create one above (for example &quot;Tier 1 SOC&quot;), add the analysts who should share its alerts, then pick it on an alert or in a rule on the
            Workflows page.
          </p>
        ) : (
          <ul className="divide-y divide-slate-100 border-t border-slate-100">
            {props.groups.map((g) => (
              <GroupCard key={g.id} tenantId={props.tenantId} group={g} candidates={props.candidates} />
            ))}
          </ul>
        )}
      </RowRemovals>
      {props.inherited.length > 0 && (
        <div className="border-t border-slate-200 bg-slate-50/60 px-4 py-3 text-sm text-slate-600" data-testid="groups-inherited">
          Also usable here, managed above:{" "}
          {props.inherited.map((g, i) => (
            <span key={g.id}>
              {i > 0 && ", "}
              <span className="font-medium text-slate-800">{g.name}</span> (from {g.tenantName}, {g.memberCount} {g.memberCount === 1 ? "member" : "members"})
            </span>
          ))}
          .
        </div>
      )}
    </section>
  );
}
