// "Show this page for tenant …": a plain GET form (the URL holds the choice),
// for pages that act on one tenant of several the caller may pick from (team,
// credentials, settings). Up to TENANT_SELECT_UP_TO tenants a list; past it,
// when the page resolves ?tenant= with pickTenant (lib/tenancy/tenant-filter.ts),
// a name-or-slug field, and a notice with links when what was typed names no
// tenant or several. A page that does not resolve names keeps the list.
// `may`: what the caller may do in the tenants offered ("manage people in").
import { typedPastList, typedValueOf, type TenantPick } from "@/lib/tenancy/tenant-filter";
import { TenantMatches, typedTenantPlaceholder } from "./tenant-filter";

type Choice = { id: string; slug: string; name: string };

export function TenantPicker(props: { id: string; tenants: Choice[]; selectedSlug: string; pick?: Pick<TenantPick<Choice>, "unresolved" | "typed">; may?: string }) {
  const typed = props.pick && typedPastList(props.tenants.length);
  const selected = props.tenants.find((t) => t.slug === props.selectedSlug);
  const form = (
    <form method="get" className="flex items-center gap-2" data-testid="tenant-picker">
      <label className="text-xs font-medium text-slate-600" htmlFor={props.id}>
        Tenant
      </label>
      {typed ? (
        <input
          id={props.id}
          type="search"
          name="tenant"
          defaultValue={props.pick?.unresolved ? props.pick.typed : selected && typedValueOf(props.tenants, selected)}
          maxLength={100}
          placeholder={typedTenantPlaceholder(props.tenants.length)}
          className="w-64 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm"
        />
      ) : (
        <select id={props.id} name="tenant" defaultValue={props.selectedSlug} className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm">
          {props.tenants.map((t) => (
            <option key={t.id} value={t.slug}>
              {t.name}
            </option>
          ))}
        </select>
      )}
      <button className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50">Show</button>
    </form>
  );
  if (!props.pick?.unresolved) return form;
  // A fragment: in a page header's wrapping row the form stays beside the title and the notice takes a line of its own.
  return (
    <>
      {form}
      <TenantMatches
        typed={props.pick.typed}
        found={props.pick.unresolved}
        what="tenants"
        hrefFor={(slug) => (slug ? `?${new URLSearchParams({ tenant: slug })}` : "?")}
        none={`No tenant you may ${props.may ?? "choose here"} is called “${props.pick.typed}”: check the spelling, or type its slug. Showing ${selected?.name ?? "the first"}.`}
        showing={selected?.name}
        className="basis-full"
      />
    </>
  );
}
