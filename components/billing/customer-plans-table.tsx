// One page of the billing console's customers with the plan billing each this
// month, and (for MSSP admins) the form to assign another (server component;
// the form is the client part). Search and paging reach any customer.
import type { CustomerPlanRow } from "@/lib/billing/plans";
import { TableScroll } from "@/components/ui/table-scroll";
import { AssignPlanForm } from "./billing-forms";

export function CustomerPlansTable(props: {
  rows: CustomerPlanRow[];
  canManage: boolean;
  plans: { id: string; name: string; currency: string }[];
  defaultMonth: string;
}) {
  return (
    <TableScroll label="Customers and their plans">
      <table className="w-full rounded-xl border border-slate-200 bg-white text-sm" data-testid="billing-customers">
        <thead>
          <tr className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500">
            <th className="px-3 py-2 font-medium">Customer</th>
            <th className="px-3 py-2 font-medium">Plan this month</th>
            {props.canManage && <th className="px-3 py-2 font-medium">Change</th>}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((c) => (
            <tr key={c.id} className="border-b border-slate-100" data-testid={`billing-customer-${c.slug}`}>
              <td className="px-3 py-2 text-slate-900">
                {c.name} <span className="font-mono text-xs text-slate-500">{c.slug}</span>
                {c.status !== "active" && <span className="ml-2 text-xs text-slate-500">({c.status}: still invoiced for what it used)</span>}
              </td>
              <td className="px-3 py-2 text-slate-700">{c.plan ? `${c.plan.name} (${c.plan.currency}) since ${c.plan.from}` : "No plan: not invoiced"}</td>
              {props.canManage && (
                <td className="px-3 py-2">
                  {props.plans.length ? (
                    <AssignPlanForm customerId={c.id} customerName={c.name} plans={props.plans} defaultMonth={props.defaultMonth} current={c.plan?.planId} />
                  ) : (
                    <span className="text-xs text-slate-500">Create a plan first.</span>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
