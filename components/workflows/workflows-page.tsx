// The workflows page of one tenant: rules (own and inherited, version,
// enabled), the dry run over the last 7 days (counts per rule and samples),
// channels with test-send and their last deliveries. Receives its data
// (lib/rules/page-data.ts); the forms post to server actions.
import { PageHeader } from "@/components/ui/page-header";
import { TableScroll } from "@/components/ui/table-scroll";
import { formatTimeWithZone } from "@/lib/locale/time";
import { FIELDS, FIELD_NAMES, OP_LABELS, describeConditions } from "@/lib/rules/language";
import { formValuesOf } from "@/lib/rules/form-values";
import type { WorkflowsPageData } from "@/lib/rules/page-data";
import { ChannelButtons } from "./channel-buttons";
import { ChannelForm, ChannelRemovals, RuleButtons, RuleEditor, RuleRemovals, type FieldOption } from "./forms";

const card = "rounded-xl border border-slate-200 bg-white p-4";
const STATUS_CLASS: Record<string, string> = {
  delivered: "bg-emerald-100 text-emerald-800",
  queued: "bg-amber-100 text-amber-900",
  failed: "bg-red-100 text-red-800",
};

function Badge(props: { text: string; tone: string; testId?: string }) {
  return <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${props.tone}`} data-testid={props.testId}>{props.text}</span>;
}

/** `editRuleId`: the rule whose Edit was chosen (?edit=<id>); the editor opens with its values. */
export function WorkflowsPage({ data, editRuleId }: { data: WorkflowsPageData; editRuleId?: string }) {
  if (!data.canView && !data.canManage) {
    return (
      <>
        <PageHeader title="Workflows" />
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center text-sm text-slate-700" data-testid="workflows-not-allowed">
          You can&apos;t see this tenant&apos;s workflows. Ask one of its admins.
        </p>
      </>
    );
  }
  if (data.disabled) {
    return (
      <>
        <PageHeader title="Workflows" />
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center text-sm text-slate-700" data-testid="workflows-disabled">
          Routing and escalation rules are not enabled for {data.tenant.name}: no rule runs on its alerts. Ask your MSSP to enable them.
        </p>
      </>
    );
  }
  const fields: FieldOption[] = FIELD_NAMES.map((name) => ({
    name,
    label: FIELDS[name].label,
    ops: FIELDS[name].ops.map((o) => ({ value: o, label: OP_LABELS[o] })),
    values: "values" in FIELDS[name] ? (FIELDS[name] as { values: readonly string[] }).values : undefined,
  }));
  const people = data.assignees.map((a) => ({ id: a.id, label: a.name ? `${a.name} (${a.email})` : a.email }));
  const groups = data.groups.map((g) => ({ id: g.id, label: g.inherited ? `${g.name} (from ${g.tenantName})` : g.name }));
  const channels = data.channels.filter((c) => c.enabled).map((c) => ({ id: c.id, label: `${c.name} (${c.kind})` }));
  const dry = new Map((data.dryRun?.rules ?? []).map((r) => [r.rule.id, r]));
  const editingRule = editRuleId ? data.rules.find((r) => r.id === editRuleId) : undefined;
  const editing = editingRule ? formValuesOf(editingRule) : null;
  return (
    <>
      <PageHeader title="Workflows" description={`Routing and escalation rules for ${data.tenant.name}: the MSSP's rules apply first, then this tenant's own.`} />
      <section className={card} aria-labelledby="rules-heading">
        <h2 id="rules-heading" className="text-base font-semibold text-slate-900">Rules</h2>
        {data.dryRun ? (
          <p className="mt-1 text-sm text-slate-600" data-testid="dry-run-summary">
            Dry run: {data.dryRun.alertsConsidered.toLocaleString("en")} alert{data.dryRun.alertsConsidered === 1 ? "" : "s"} detected in the last 7 days{data.dryRun.truncated ? " (the 5,000 most recently detected)" : ""}, checked against every rule below. Nothing was changed.
          </p>
        ) : null}
        <RuleRemovals>
        {data.rules.length === 0 ? (
          <p className="mt-3 text-sm text-slate-600">No rules yet.</p>
        ) : (
          <TableScroll label="Rules" className="mt-3">
          <table className="w-full min-w-[40rem] text-left text-sm" data-testid="rules-table">
            <thead className="text-xs uppercase text-slate-600">
              <tr>
                <th className="py-2">Rule</th>
                <th>When</th>
                <th>Would have matched (7 days)</th>
                <th>State</th>
                {data.canManage ? <th><span className="sr-only">Actions</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {data.rules.map((r) => {
                const d = dry.get(r.id);
                return (
                  <tr key={r.id} className="border-t border-slate-100 align-top" data-testid="rule-row">
                    <td className="py-2 pr-3">
                      <div className="font-medium text-slate-900">{r.name}</div>
                      <div className="text-xs text-slate-600">
                        v{r.version} · {r.inherited ? <>inherited from {r.tenantName} (read-only)</> : "this tenant"}
                      </div>
                    </td>
                    <td className="pr-3 text-slate-700">
                      {r.definition ? describeConditions(r.definition) : <span className="text-red-700">invalid: {r.problems.join("; ")}</span>}
                      {d ? <div className="mt-1 text-xs text-slate-600">→ {d.wouldDo.join("; ")}</div> : null}
                    </td>
                    <td className="pr-3">
                      <span className="font-semibold text-slate-900" data-testid="dry-run-count">{d?.matched ?? 0}</span>{" "}
                      <span className="text-slate-700">
                        {(d?.matched ?? 0) === 1 ? "alert" : "alerts"}
                        {d && d.samples.length > 0 ? (d.matched > d.samples.length ? `, the latest ${d.samples.length}:` : ":") : ""}
                      </span>
                      {d && d.samples.length > 0 ? (
                        <ul className="mt-1 list-disc pl-4 text-xs text-slate-600">
                          {d.samples.map((s) => (
                            <li key={s.id}>
                              <span className="uppercase">{s.severity}</span> · {s.title}
                            </li>
                          ))}
                        </ul>
                      ) : null}
                    </td>
                    <td className="pr-3">
                      <Badge text={r.enabled ? "Enabled" : "Disabled"} tone={r.enabled ? "bg-emerald-100 text-emerald-800" : "bg-slate-100 text-slate-700"} />
                    </td>
                    {data.canManage ? (
                      <td>{r.inherited ? null : <RuleButtons tenantId={data.tenant.id} ruleId={r.id} name={r.name} enabled={r.enabled} editable={formValuesOf(r) !== null} />}</td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
          </TableScroll>
        )}
        </RuleRemovals>
      </section>
      {data.canManage ? (
        <section id="rule-editor" className={`${card} mt-4 scroll-mt-4`} aria-labelledby="rule-editor-heading">
          <h2 id="rule-editor-heading" className="mb-3 text-base font-semibold text-slate-900">
            {editing ? `Edit rule "${editing.name}" (version ${editing.version})` : "New rule"}
          </h2>
          {editRuleId && !editing ? (
            <p role="alert" className="mb-3 rounded-lg bg-amber-50 p-3 text-sm text-amber-900">
              That rule cannot be edited here: it is not this tenant&apos;s, no longer exists, or holds more than this editor shows. The form below adds a new rule.
            </p>
          ) : null}
          <RuleEditor key={editing?.ruleId ?? "new"} tenantId={data.tenant.id} fields={fields} people={people} groups={groups} channels={channels} rule={editing ?? undefined} />
        </section>
      ) : null}
      <section className={`${card} mt-4`} aria-labelledby="channels-heading">
        <h2 id="channels-heading" className="text-base font-semibold text-slate-900">Notification channels</h2>
        <ChannelRemovals>
        {data.channels.length === 0 ? <p className="mt-2 text-sm text-slate-600">No channels yet.</p> : null}
        <ul className="mt-2 divide-y divide-slate-100">
          {data.channels.map((c) => (
            <li key={c.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm" data-testid="channel-row">
              <span className="min-w-0 break-words [overflow-wrap:anywhere]">
                <span className="font-medium text-slate-900">{c.name}</span>{" "}
                <span className="text-slate-600">
                  {c.kind === "webhook" ? `webhook ${c.url} · secret ${c.maskedSecret}` : `email to ${c.recipients.join(", ")}`}
                  {c.enabled ? "" : " · disabled"}
                </span>
              </span>
              {data.canManage ? <ChannelButtons tenantId={data.tenant.id} channelId={c.id} name={c.name} kind={c.kind} enabled={c.enabled} /> : null}
            </li>
          ))}
        </ul>
        </ChannelRemovals>
        {data.canManage ? (
          <div className="mt-4 border-t border-slate-100 pt-4">
            <ChannelForm tenantId={data.tenant.id} />
          </div>
        ) : null}
      </section>
      {data.canManage ? (
        <section className={`${card} mt-4`} aria-labelledby="deliveries-heading">
          <h2 id="deliveries-heading" className="text-base font-semibold text-slate-900">Last deliveries</h2>
          {data.deliveries.length === 0 ? <p className="mt-2 text-sm text-slate-600">Nothing sent yet.</p> : null}
          <ul className="mt-2 divide-y divide-slate-100" data-testid="deliveries">
            {data.deliveries.map((d) => (
              <li key={d.id} className="flex flex-wrap items-center gap-2 py-2 text-sm" data-testid="delivery-row">
                <Badge text={d.status} tone={STATUS_CLASS[d.status]} testId="delivery-status" />
                <span className="font-medium text-slate-900">{d.channelName}</span>
                <span className="min-w-0 text-slate-600 [overflow-wrap:anywhere]">
                  {d.reason === "test" ? "test message" : `${d.reason === "escalation" ? "escalation by" : "by"} rule "${d.ruleName ?? "?"}": ${d.alertTitle ?? "(alert removed)"}`}
                  {d.recipient ? ` → ${d.recipient}` : ""}
                  {" · "}
                  {d.status === "delivered" ? `on attempt ${d.attempts}` : `attempt ${d.attempts} of ${d.maxAttempts}`}
                  {d.responseStatus ? ` · HTTP ${d.responseStatus}` : ""}
                  {d.lastError && d.status !== "delivered" ? ` · ${d.lastError}` : ""}
                  {" · "}
                  <time dateTime={d.createdAt.toISOString()}>{formatTimeWithZone(d.createdAt, data.timeZone)}</time>
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
