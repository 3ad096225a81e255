// "Show this page for tenant …": a plain GET form (the URL holds the choice),
// for pages that act on one tenant of several the caller may pick from.
export function TenantPicker(props: { id: string; tenants: { id: string; slug: string; name: string }[]; selectedSlug: string }) {
  return (
    <form method="get" className="flex items-center gap-2">
      <label className="text-xs font-medium text-slate-600" htmlFor={props.id}>
        Tenant
      </label>
      <select id={props.id} name="tenant" defaultValue={props.selectedSlug} className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm">
        {props.tenants.map((t) => (
          <option key={t.id} value={t.slug}>
            {t.name}
          </option>
        ))}
      </select>
      <button className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50">Show</button>
    </form>
  );
}
