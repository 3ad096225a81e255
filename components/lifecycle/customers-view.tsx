// The console's Customers page: state counts as filter chips (the numbers an
// operator scans first), search, the tree of customers and sites with their
// lifecycle state and workflow, and "New customer".
import { FilterChip } from "@/components/ui/filter-chip";
import { FilteredEmpty } from "@/components/ui/filtered-empty";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { Pager } from "@/components/ui/pager";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { TENANT_SELECT_UP_TO } from "@/lib/tenancy/tenant-filter";
import { CUSTOMERS_PAGE_SIZE, customersHref, STATUS_FILTER_LABELS, STATUS_FILTERS, type CustomersPage, type CustomersQuery } from "@/lib/lifecycle/list-page";
import { CustomersTable } from "./customers-table";
import { ArchiveLinks } from "./archive/archive-links";
import { NewTenantButton } from "./new-tenant-button";

const ATTENTION: Partial<Record<string, string>> = {
  suspended: "bg-amber-100 text-amber-800",
  provisioning: "bg-indigo-100 text-indigo-700",
  deprovisioning: "bg-red-100 text-red-700",
};

export function CustomersView(props: { data: CustomersPage; query: CustomersQuery; problems: string[]; domain: string }) {
  const { data, query } = props;
  // Only what the form draws: the parents it lists (a few), not every tenant (lib/lifecycle/list-page.ts).
  const provisionParents = data.parents.filter((p) => p.canProvision).map((p) => ({ id: p.id, name: p.name, kind: p.kind, depth: p.depth }));
  const typedParentAmong = data.parentCount > TENANT_SELECT_UP_TO ? data.parentCount : undefined;
  const pageCount = Math.max(1, Math.ceil(data.total / CUSTOMERS_PAGE_SIZE));
  return (
    <>
      <PageHeader
        title="Customers"
        description="Onboard, suspend, move and offboard customers and their sites. Open one to see its workflows step by step."
        actions={
          provisionParents.length > 0 ? (
            <NewTenantButton parents={provisionParents} domain={props.domain} label="New customer or site" typedParentAmong={typedParentAmong} />
          ) : undefined
        }
      />
      <Notice messages={props.problems} />
      {provisionParents.length > 0 && <ArchiveLinks />}
      {data.pdpUnavailable && <PdpUnavailable inline />}
      <div className="mb-4 flex flex-wrap items-center gap-2">
        {STATUS_FILTERS.map((s) => (
          <FilterChip
            key={s}
            href={customersHref({ ...query, status: s, page: 1 })}
            label={STATUS_FILTER_LABELS[s]}
            count={data.counts[s]}
            current={query.status === s}
            title={`Show ${STATUS_FILTER_LABELS[s].toLowerCase()} tenants`}
            testId={`filter-${s}`}
            attentionTone={data.counts[s] > 0 ? ATTENTION[s] : undefined}
          />
        ))}
        <form className="w-full sm:ml-auto sm:w-auto" action="">
          {query.status !== "all" && <input type="hidden" name="status" value={query.status} />}
          <input
            name="q"
            defaultValue={query.q ?? ""}
            placeholder="Search name or address"
            aria-label="Search customers and sites"
            className="w-full rounded-lg border border-slate-300 px-3 py-1.5 text-sm sm:w-64"
          />
        </form>
      </div>
      {data.rows.length === 0 ? (
        <FilteredEmpty
          testId="customers-empty"
          filtered={query.q !== null || query.status !== "all"}
          title={{ empty: "No customers yet.", filtered: "No tenant matches these filters." }}
          hint={{
            empty: "Use “New customer or site” above to onboard the first one; its first admin gets an invitation link.",
            filtered: "Clear the search or choose another state.",
          }}
        />
      ) : (
        <>
          <CustomersTable rows={data.rows} />
          <Pager total={data.total} noun="tenant" page={query.page} pageCount={pageCount} pageSize={CUSTOMERS_PAGE_SIZE} hrefFor={(p) => customersHref({ ...query, page: p })} testId="customers-count" />
        </>
      )}
    </>
  );
}
