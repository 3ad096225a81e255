// The effective configuration of one tenant: every setting, grouped, with
// its value, where it comes from, and the controls the PDP allowed; then the
// history of changes. Receives data only (lib/settings/page-data.ts).
import { PageHeader } from "@/components/ui/page-header";
import { TenantPicker } from "@/components/tenants/tenant-picker";
import type { SettingRow, SettingsPageData } from "@/lib/settings/page-data";
import { SettingEditor } from "./setting-editor";
import { SettingsHistory } from "./settings-history";
import { SourceBadge } from "./source-badge";

type Allowed = Extract<SettingsPageData, { allowed: true }>;

function Row({ tenantId, row, providerLabel }: { tenantId: string; row: SettingRow; providerLabel: string }) {
  return (
    <li className="grid grid-cols-[minmax(0,1fr)] gap-2 px-4 py-3 sm:grid-cols-[minmax(0,22rem)_minmax(0,1fr)] sm:gap-6" data-testid={`setting-${row.key}`}>
      <div>
        <p className="text-sm font-medium text-slate-800">{row.label}</p>
        <p className="mt-0.5 text-xs text-slate-500">{row.description}</p>
        {row.changedBy === "mssp" && <p className="mt-0.5 text-xs text-slate-500">Set by {providerLabel}.</p>}
        <p className="mt-0.5 text-xs text-slate-500" data-testid="enforced-by">
          {row.enforcedBy ?? "Recorded only: nothing in the portal acts on it yet."}
        </p>
      </div>
      <div>
        <div className="flex flex-wrap items-center gap-2">
          {/* A long value (a URL, an asset hash) wraps anywhere rather than widening the column past a phone's width. */}
          <span className="min-w-0 text-sm font-semibold text-slate-900 [overflow-wrap:anywhere]" data-testid="setting-value">
            {row.display}
          </span>
          {/* "Provider default" already says where a hidden value comes from; a "Default" badge beside it says it twice. */}
          {!(row.valueHidden && row.source === "default") && <SourceBadge row={row} />}
        </div>
        {row.storedInvalid && (
          <p className="mt-1 text-xs text-amber-800">The value stored for this setting is no longer valid; the default applies until it is set again.</p>
        )}
        {row.readOnlyReason && !row.lockedBy && <p className="mt-1 text-xs text-slate-500">Read only: {row.readOnlyReason}.</p>}
        <SettingEditor tenantId={tenantId} row={row} />
      </div>
    </li>
  );
}

/** brandHref: the host's brand page, linked when the settings shown are the host tenant's and the PDP allows branding:manage. */
export function SettingsView({ data, backHref, brandHref }: { data: Allowed; backHref?: string; brandHref?: string }) {
  const { tenant } = data;
  const changeable = data.can.manage;
  return (
    <>
      {backHref && (
        <a href={backHref} className="mb-2 inline-block text-sm font-medium text-brand hover:underline">
          ← Back
        </a>
      )}
      <PageHeader
        title={`Settings of ${tenant.name}`}
        description={
          !changeable
            ? "Every setting in effect here and where it comes from. You can read them; only admins change them."
            : tenant.kind === "mssp"
              ? "Your defaults: every customer and site below inherits these values unless it sets its own; a lock here binds them all."
              : "Every setting in effect here and where it comes from. A value set here overrides what the tenants above set, unless they locked it; a lock here binds every tenant below."
        }
        actions={
          <div className="flex flex-wrap items-center gap-3">
            {brandHref && data.can.brand && (
              <a href={brandHref} className="text-sm font-medium text-brand hover:underline" data-testid="settings-brand-link">
                Brand: name, logo, colours →
              </a>
            )}
            {data.choices.length > 1 && <TenantPicker id="settings-tenant" tenants={data.choices} selectedSlug={tenant.slug} />}
          </div>
        }
      />
      <div className="space-y-6">
        {data.groups.map((g) => (
          <section key={g.group} className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm" aria-labelledby={`group-${g.group}`}>
            <h2 id={`group-${g.group}`} className="border-b border-slate-200 bg-slate-50 px-4 py-2.5 text-sm font-semibold text-slate-700">
              {g.label}
            </h2>
            <ul className="divide-y divide-slate-100">
              {g.settings.map((row) => (
                <Row key={row.key} tenantId={tenant.id} row={row} providerLabel={data.providerLabel} />
              ))}
            </ul>
          </section>
        ))}
        {data.can.history && <SettingsHistory rows={data.history} auditHref={`/audit?action=setting.&tenant=${data.tenant.slug}`} />}
      </div>
    </>
  );
}

export function SettingsNotAllowed() {
  return (
    <>
      <PageHeader title="Settings" />
      <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="settings-not-allowed">
        <p className="text-sm font-medium text-slate-800">You can&apos;t see the settings of this tenant.</p>
        <p className="mt-1 text-sm text-slate-500">Its admins and the MSSP&apos;s staff can. The link may also be old.</p>
      </div>
    </>
  );
}
