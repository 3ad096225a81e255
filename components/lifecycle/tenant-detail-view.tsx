// One tenant's lifecycle page: who it is and in what state, its workflows as
// live step timelines, the facts an operator checks before acting (members,
// keys, data, isolation resources) and the actions the PDP allows.
import { BackToCustomers } from "@/components/lifecycle/back-to-customers";
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { QueryProvider } from "@/components/ui/query-provider";
import type { TenantDetail } from "@/lib/lifecycle/detail-page";
import { planInfo } from "@/lib/lifecycle/plans";
import { MoveControls, OffboardControls, SuspendControls, type MoveTarget } from "./action-forms";
import { ExportArchive } from "./archive/export-archive";
import { NewTenantButton } from "./new-tenant-button";
import { TenantStatusBadge } from "./status-badge";
import { WorkflowTimeline } from "./workflow-timeline";

function Fact(props: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <div className="text-xs font-medium uppercase tracking-wide text-slate-500">{props.label}</div>
      <div className="mt-1 text-sm text-slate-800" data-testid={props.testId}>
        {props.children}
      </div>
    </div>
  );
}

/** The tenant's other console pages, each shown only when its action is allowed (lib/lifecycle/detail-page.ts links). */
function pageLinks(t: TenantDetail) {
  const all = [
    { allowed: t.links["settings:view"], href: `/customers/${t.slug}/settings`, label: "Settings", testId: "customer-settings-link" },
    { allowed: t.links["apikeys:manage"], href: `/customers/${t.slug}/api-keys`, label: "API keys", testId: "customer-api-keys-link" },
    { allowed: t.links["credentials:view"], href: `/credentials/manage?tenant=${encodeURIComponent(t.slug)}`, label: "Credentials", testId: "customer-credentials-link" },
    { allowed: t.links["branding:manage"], href: `/customers/${t.slug}/brand`, label: "Brand", testId: "customer-brand-link" },
    { allowed: t.links["domains:manage"], href: `/customers/${t.slug}/domains`, label: "Custom domains", testId: "customer-domains-link" },
  ];
  return all.filter((l) => l.allowed);
}

/** `moveTypedAmong`: past TENANT_SELECT_UP_TO possible parents, their count, and Move takes a typed name (lib/lifecycle/move-targets.ts). */
export function TenantDetailView(props: { t: TenantDetail; moveTargets: MoveTarget[]; moveTypedAmong?: number | null; domain: string }) {
  const { t } = props;
  const totalRows = t.rows?.reduce((n, r) => n + r.rows, 0) ?? null;
  const activeKey = t.keys?.find((k) => k.status === "active");
  const frozen = t.status === "deprovisioned";
  return (
    <QueryProvider>
      <BackToCustomers />
      <PageHeader
        title={t.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <TenantStatusBadge status={t.status} />
            <span className="font-mono">{t.slug}</span>· {t.kind}
            {t.parentName && <> under {t.parentName}</>} · run by {t.msspSlug}
            {/* Only the pages the PDP lets this person use here. */}
            {pageLinks(t).map((l) => (
              <span key={l.testId}>
                {" · "}
                <a href={l.href} className="font-medium text-brand hover:underline" data-testid={l.testId}>
                  {l.label}
                </a>
              </span>
            ))}
          </span>
        }
        actions={
          t.can["tenants:provision"] && t.status === "active" ? (
            <NewTenantButton parents={[{ id: t.id, name: t.name, kind: t.kind, depth: 1 }]} domain={props.domain} label="Add site" defaultParentId={t.id} />
          ) : undefined
        }
      />
      {t.pdpUnavailable && <PdpUnavailable inline />}
      {t.statusNote && (
        <p className="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="status-reason">
          {t.statusNote.before}
          {t.statusNote.at && <time dateTime={t.statusNote.at.iso}>{t.statusNote.at.text}</time>}
          {t.statusNote.after}
        </p>
      )}
      <div className="mb-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Fact label="Isolation plan" testId="fact-isolation-plan">
          {planInfo(t.plan).label}
          {/* Not the billing plan (console Billing): this one sizes the customer's namespace. */}
          <span className="block text-xs text-slate-500">sizes its namespace&apos;s quota</span>
        </Fact>
        <Fact label="Members" testId="fact-members">
          {t.members} member{t.members === 1 ? "" : "s"}
          {t.openInvitations > 0 && <span className="text-slate-500"> · {t.openInvitations} invited</span>}
          {t.sites > 0 && <span className="text-slate-500"> · {t.sites} site{t.sites === 1 ? "" : "s"} below</span>}
        </Fact>
        <Fact label="Data key" testId="fact-keys">
          {t.keys === null ? <span className="text-slate-500">—</span> : activeKey ? `version ${activeKey.version} active` : <span className="text-red-700">no active key (destroyed)</span>}
          {t.keys && t.keys.length > 1 && <span className="text-slate-500"> · {t.keys.length} versions</span>}
        </Fact>
        <Fact label="Data" testId="fact-data">
          {totalRows === null ? <span className="text-slate-500">—</span> : `${totalRows.toLocaleString("en")} record${totalRows === 1 ? "" : "s"}`}
          {t.rows && t.rows.length > 0 && (
            <span className="block text-xs text-slate-500">{t.rows.slice(0, 3).map((r) => `${r.label} ${r.rows.toLocaleString("en")}`).join(" · ")}</span>
          )}
        </Fact>
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <div className="space-y-4">
          {t.offboarding && <WorkflowTimeline slug={t.slug} initial={t.offboarding} canRetry={t.can["tenants:deprovision"]} timeZone={t.timeZone} />}
          {t.provisioning ? (
            <WorkflowTimeline slug={t.slug} initial={t.provisioning} canRetry={t.can["tenants:provision"]} timeZone={t.timeZone} />
          ) : frozen ? null : (
            <p className="rounded-xl border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-500">
              Created before workflows existed (or restored from an archive): no provisioning history.
            </p>
          )}
          <section className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="isolation">
            <h3 className="mb-1 text-sm font-semibold text-slate-800">Isolation resources</h3>
            <p className="text-sm text-slate-600">
              Namespace, default-deny network policy, quota and limits sized by the plan, and a service account with no rights.{" "}
              {t.isolation.lastStatus === "applied"
                ? "Applied to the cluster."
                : t.isolation.target === "none"
                  ? "No cluster is configured here (KUBECONFIG), so they are rendered, not applied."
                  : "A cluster is configured; they are applied when the tenant is provisioned."}
            </p>
            {t.can["tenants:provision"] && !frozen && (
              <a href={`/customers/${t.slug}/isolation`} className="mt-2 inline-block text-sm font-medium text-brand hover:underline" data-testid="isolation-download">
                Download the manifests (YAML)
              </a>
            )}
          </section>
          {t.can["tenants:export"] && !frozen && <ExportArchive slug={t.slug} name={t.name} sites={t.sites} />}
        </div>
        <div className="space-y-4">
          {frozen && (
            <p className="rounded-xl border border-slate-200 bg-slate-50 p-4 text-sm text-slate-600" data-testid="tombstone">
              Offboarded: its data and keys are gone. Its audit trail stays readable under Audit.
            </p>
          )}
          {t.can["tenants:suspend"] && t.kind !== "mssp" && <SuspendControls tenantId={t.id} name={t.name} status={t.status} />}
          {t.can["tenants:move"] && t.kind !== "mssp" && !frozen && <MoveControls tenantId={t.id} name={t.name} targets={props.moveTargets} typedAmong={props.moveTypedAmong} />}
          {t.can["tenants:deprovision"] && t.kind !== "mssp" && (
            <OffboardControls
              tenantId={t.id}
              name={t.name}
              status={t.status}
              deprovisionAfter={t.deprovisionAfter}
              inGracePeriod={t.deprovisionAfter !== null && Date.parse(t.deprovisionAfter) > Date.now()}
              timeZone={t.timeZone}
            />
          )}
          {!Object.values(t.can).some(Boolean) && !t.pdpUnavailable && (
            <p className="text-sm text-slate-500">You can see this tenant; its lifecycle is managed by the MSSP&apos;s admins.</p>
          )}
        </div>
      </div>
    </QueryProvider>
  );
}
