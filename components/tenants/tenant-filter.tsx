// The tenant filter of a list page's GET form, and what a page says when what
// was typed for a tenant names none or several (lib/tenancy/tenant-filter.ts).
// The same placeholder and notice serve every control that names a tenant
// past TENANT_SELECT_UP_TO: the dashboard's scope, TenantPicker, the reports',
// import and bulk forms.
import { TENANT_SELECT_UP_TO, type ResolvedTenantFilter, type TenantFilterState } from "@/lib/tenancy/tenant-filter";

/** The text field's placeholder: what to type, and how many there are to choose from. */
export function typedTenantPlaceholder(count: number, what = "tenants"): string {
  return `Name or slug (${count.toLocaleString("en")} ${what})`;
}

/**
 * A list of the tenants, or past TENANT_SELECT_UP_TO of them a text field; nothing for a single
 * tenant. `textLabelClassName`: the label's classes for the text field, when a form lays it out
 * apart from its lists (default `labelClassName`).
 */
export function TenantFilterField(props: { typed: string | undefined; state: TenantFilterState; labelClassName: string; textLabelClassName?: string; fieldClassName: string }) {
  const { state } = props;
  if (state.tenantCount > TENANT_SELECT_UP_TO) {
    return (
      <label className={props.textLabelClassName ?? props.labelClassName}>
        Tenant
        <input
          type="search"
          name="tenant"
          defaultValue={state.tenantFilter?.chosen?.name ?? props.typed ?? ""}
          maxLength={100}
          placeholder={typedTenantPlaceholder(state.tenantCount)}
          className={props.fieldClassName}
        />
      </label>
    );
  }
  if (state.tenants.length <= 1) return null;
  return (
    <label className={props.labelClassName}>
      Tenant
      <select name="tenant" defaultValue={state.tenantFilter?.chosen?.slug ?? ""} className={props.fieldClassName}>
        <option value="">All tenants</option>
        {state.tenants.map((t) => (
          <option key={t.slug} value={t.slug}>
            {t.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * When ?tenant= names no tenant or several: says so, and links to the ones it
 * matches. `hrefFor(slug)`: the list filtered to that tenant; `hrefFor(undefined)`: unfiltered.
 * `none`: what to say instead when it names none (default: the list pages' words, with a link to
 * every tenant's `what`); `showing`: the tenant the page shows meanwhile, if any.
 */
export function TenantMatches(props: {
  typed: string | undefined;
  found: ResolvedTenantFilter | null;
  what: string;
  hrefFor: (slug: string | undefined) => string;
  none?: React.ReactNode;
  showing?: string;
  className?: string;
}) {
  const { found } = props;
  if (!found || found.chosen) return null;
  return (
    <div role="status" className={`rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900 ${props.className ?? ""}`} data-testid="tenant-matches">
      {found.matchCount === 0 && props.none ? (
        <p>{props.none}</p>
      ) : found.matchCount === 0 ? (
        <p>
          No tenant you may read {props.what} of is called “{props.typed}”. Check the spelling, or{" "}
          <a href={props.hrefFor(undefined)} className="font-medium underline">
            show every tenant’s {props.what}
          </a>
          .
        </p>
      ) : (
        <>
          <p>
            “{props.typed}” matches {found.matchCount.toLocaleString("en")} tenants
            {found.matchCount > found.matches.length ? ` (the first ${found.matches.length} by name below; type more of the name to narrow it)` : ""}.
            {props.showing ? ` Showing ${props.showing} until you choose one:` : " Choose one:"}
          </p>
          <ul className="mt-2 flex flex-wrap gap-2">
            {found.matches.map((t) => (
              <li key={t.slug}>
                <a href={props.hrefFor(t.slug)} className="inline-block rounded-full border border-amber-300 bg-white px-3 py-1 font-medium hover:bg-amber-100">
                  {t.name}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
