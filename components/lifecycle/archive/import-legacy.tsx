"use client";
// The Import page: the tenant, the legacy install's users, assets and alerts
// files (each .csv, .json or .ndjson), then "Dry run" (what would be created,
// every rejected row with its file, line, field and reason; nothing written)
// or "Import" (the same, for real, in one transaction; running it again
// creates nothing twice). The tenant is a list up to TENANT_SELECT_UP_TO
// targets; past that a name or slug typed, which the route resolves among the
// tenants the caller may import into (lib/lifecycle/web/access.ts).
import { useId, useState } from "react";
import { useHydrated } from "@/components/ui/use-hydrated";
import { typedTenantPlaceholder } from "@/components/tenants/tenant-filter";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import type { ImportReport } from "@/lib/lifecycle/archive";
import { formatBytes, UPLOAD_LIMIT_BYTES } from "@/lib/lifecycle/web/envelope";
import { LEGACY_ACCEPT, LEGACY_KINDS, legacyExtension, type LegacyKind } from "@/lib/lifecycle/web/legacy-files";
import { typedPastList } from "@/lib/tenancy/tenant-filter";
import { postEnvelope } from "./post";

export interface ImportTarget {
  slug: string;
  name: string;
  kind: "mssp" | "customer" | "site";
  depth: number;
  status: string;
}

const card = "rounded-xl border border-slate-200 bg-white p-4 shadow-sm";
const field = "mt-1 block w-full rounded-lg border border-slate-300 px-3 py-1.5 text-sm";
const fileInput =
  "mt-1 block w-full text-sm text-slate-700 file:mr-3 file:rounded-lg file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-700 hover:file:bg-slate-50";
const TOO_LARGE = "These files are too large to import from the console: use `npm run tenants -- import` (docs/tenant-migration.md).";

const COLUMNS: Record<LegacyKind, { label: string; required: string[]; optional: string }> = {
  users: { label: "Users", required: ["email"], optional: "name, role (admin, analyst, viewer), password_hash (argon2id)" },
  assets: { label: "Assets", required: ["hostname"], optional: "ip_address, os, kind, criticality, owner_email, last_seen_at" },
  alerts: {
    label: "Alerts",
    required: ["title", "severity", "source", "detected_at"],
    optional: "external_id, description, status, rule_name, hostname, source_ip, assigned_to, resolved_at",
  },
};

function Report({ r, tenantName }: { r: ImportReport; tenantName: string }) {
  const verb = r.dryRun ? "Would create" : "Created";
  return (
    <section className={card} data-testid="import-report" role="status" aria-label="Import report">
      <h2 className="mb-1 text-sm font-semibold text-slate-800">
        {r.dryRun ? "Dry run: nothing was written." : "Imported."} {verb} in {tenantName}:
      </h2>
      <p className="mb-3 text-xs text-slate-500">Files read: {r.files.join(", ")}</p>
      <table className="mb-4 w-full max-w-xl text-sm" data-testid="import-counts">
        <thead>
          <tr className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500">
            <th className="py-1.5 font-medium">What</th>
            <th className="py-1.5 text-right font-medium">{r.dryRun ? "Would create" : "Created"}</th>
            <th className="py-1.5 text-right font-medium">Already there</th>
          </tr>
        </thead>
        <tbody className="tabular-nums">
          <tr className="border-b border-slate-100">
            <td className="py-1">Accounts (keeping their legacy password)</td>
            <td className="py-1 text-right">{r.users.created.length}</td>
            <td className="py-1 text-right" rowSpan={2}>
              {r.users.existing}
            </td>
          </tr>
          <tr className="border-b border-slate-100">
            <td className="py-1">Invitations (no portable password, or an account here already)</td>
            <td className="py-1 text-right">{r.users.invited.length}</td>
          </tr>
          <tr className="border-b border-slate-100">
            <td className="py-1">Assets</td>
            <td className="py-1 text-right">{r.assets.created}</td>
            <td className="py-1 text-right">{r.assets.existing}</td>
          </tr>
          <tr className="border-b border-slate-100">
            <td className="py-1">Alerts</td>
            <td className="py-1 text-right">{r.alerts.created}</td>
            <td className="py-1 text-right">{r.alerts.existing}</td>
          </tr>
        </tbody>
      </table>
      {r.users.invited.length > 0 && (
        <div className="mb-4 rounded-lg border border-slate-200 bg-slate-50 p-3 text-sm" data-testid="import-invitations">
          {r.dryRun ? (
            <p className="text-slate-700">Each of these would get an invitation by email; a dry run sends none:</p>
          ) : (
            <p className="text-slate-700">Each email holds the link to accept; the invitee confirms with a code sent to the same address. Nobody else sees the link.</p>
          )}
          <ul className="mt-2 space-y-1 text-slate-800">
            {r.users.invited.map((email) => (
              <li key={email} data-testid="import-invited">
                {r.dryRun ? email : `Invitation emailed to ${email}`}
              </li>
            ))}
          </ul>
        </div>
      )}
      {r.rejected.length === 0 ? (
        <p className="text-sm text-emerald-700" data-testid="import-no-rejects">
          No row rejected.
        </p>
      ) : (
        <>
          <h3 className="mb-1 text-sm font-semibold text-red-800" data-testid="import-rejected-count">
            {r.rejected.length} row{r.rejected.length === 1 ? "" : "s"} rejected{r.dryRun ? " (fix the files, or import without them)" : " (not imported)"}
          </h3>
          <table className="w-full text-sm" data-testid="import-rejected">
            <thead>
              <tr className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500">
                <th className="whitespace-nowrap py-1.5 pr-6 font-medium">File</th>
                <th className="whitespace-nowrap py-1.5 pr-6 text-right font-medium">Line</th>
                <th className="whitespace-nowrap py-1.5 pr-6 font-medium">Field</th>
                <th className="w-full py-1.5 font-medium">Reason</th>
              </tr>
            </thead>
            <tbody>
              {r.rejected.map((x) => (
                <tr key={`${x.file}:${x.line}:${x.field}`} className="border-b border-slate-100 align-top">
                  <td className="whitespace-nowrap py-1 pr-6 font-mono text-xs leading-5">{x.file}</td>
                  <td className="py-1 pr-6 text-right text-xs leading-5 tabular-nums">{x.line}</td>
                  <td className="whitespace-nowrap py-1 pr-6 font-mono text-xs leading-5">{x.field ?? "—"}</td>
                  <td className="py-1 text-xs leading-5 text-slate-700">{x.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {!r.dryRun && <p className="mt-3 text-xs text-slate-500">Run it again whenever the legacy system has more: rows already imported are counted as already there.</p>}
    </section>
  );
}

/** `targets`: up to TENANT_SELECT_UP_TO (none past it: the field takes a name); `targetCount`: how many there are. */
export function ImportLegacy(props: { targets: ImportTarget[]; targetCount: number; initialTenant: string; pdpUnavailable: boolean }) {
  const tenantId = useId();
  const inputIds = { users: useId(), assets: useId(), alerts: useId() };
  // Disabled until hydrated: a choice made in the server-rendered form before React takes over would be
  // reset to the initial state when it does (a tenant chosen, files attached, then "Choose the tenant").
  const hydrated = useHydrated();
  const [tenant, setTenant] = useState(props.initialTenant);
  const [files, setFiles] = useState<Partial<Record<LegacyKind, File>>>({});
  const [busy, setBusy] = useState<"dry-run" | "import" | null>(null);
  const [report, setReport] = useState<{ r: ImportReport; tenantName: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run(mode: "dry-run" | "import") {
    setReport(null);
    setError(null);
    if (!tenant.trim()) return setError("Choose the tenant to import into.");
    const chosen = LEGACY_KINDS.filter((k) => files[k]).map((k) => ({ field: k, file: files[k]! }));
    if (chosen.length === 0) return setError("Choose at least one file: users, assets or alerts.");
    const bad = chosen.find((c) => !legacyExtension(c.file.name));
    if (bad) return setError(`The ${bad.field} file must be .csv, .json or .ndjson (${bad.file.name} is not).`);
    setBusy(mode);
    const r = await postEnvelope<ImportReport>("/customers/import/run", { tenant: tenant.trim(), mode }, chosen, TOO_LARGE);
    setBusy(null);
    if (r.ok) setReport({ r: r.data, tenantName: props.targets.find((t) => t.slug === r.data.tenant.slug)?.name ?? r.data.tenant.slug });
    else setError(r.error);
  }

  if (props.targetCount === 0 && !props.pdpUnavailable) {
    return (
      <p className={`${card} text-sm text-slate-600`}>
        There is no customer or site you may import into (that takes tenants:provision on it, an MSSP admin&apos;s right). Onboard the customer first under
        Customers → New customer or site.
      </p>
    );
  }
  const target = props.targets.find((t) => t.slug === tenant);
  return (
    <div className="space-y-4">
      {props.pdpUnavailable && <PdpUnavailable inline />}
      <section className={card} aria-label="Legacy files">
        <form
          method="post"
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            void run("dry-run");
          }}
        >
          <div className="max-w-xl">
            <label htmlFor={tenantId} className="block text-sm text-slate-700">
              Into
            </label>
            {typedPastList(props.targetCount) ? (
              <input
                id={tenantId}
                type="search"
                value={tenant}
                disabled={busy !== null || !hydrated}
                maxLength={100}
                placeholder={typedTenantPlaceholder(props.targetCount, "customers and sites")}
                onChange={(e) => {
                  setTenant(e.target.value);
                  setReport(null);
                }}
                className={field}
              />
            ) : (
              <select
                id={tenantId}
                value={tenant}
                disabled={busy !== null || !hydrated}
                onChange={(e) => {
                  setTenant(e.target.value);
                  setReport(null);
                }}
                className={field}
              >
                <option value="">Choose a customer or site…</option>
                {props.targets.map((t) => (
                  <option key={t.slug} value={t.slug}>
                    {"\u00a0\u00a0".repeat(Math.max(0, t.depth - 2))}
                    {t.name} ({t.slug}
                    {t.status !== "active" ? `, ${t.status}` : ""})
                  </option>
                ))}
              </select>
            )}
          </div>
          <div className="grid gap-4 md:grid-cols-3">
            {LEGACY_KINDS.map((kind) => (
              <div key={kind}>
                <label htmlFor={inputIds[kind]} className="block text-sm font-medium text-slate-700">
                  {COLUMNS[kind].label} file
                </label>
                <input
                  id={inputIds[kind]}
                  type="file"
                  accept={LEGACY_ACCEPT}
                  disabled={busy !== null || !hydrated}
                  className={fileInput}
                  onChange={(e) => {
                    const f = e.target.files?.[0];
                    setFiles((prev) => ({ ...prev, [kind]: f }));
                    setReport(null);
                  }}
                />
                <p className="mt-1 text-xs text-slate-500">
                  Columns: <span className="font-semibold text-slate-700">{COLUMNS[kind].required.join(", ")}</span>; {COLUMNS[kind].optional}.
                </p>
              </div>
            ))}
          </div>
          <p className="text-xs text-slate-500">
            Each file is .csv (a header row), .json (an array of objects) or .ndjson (one object per line); column names are case-insensitive. Up to{" "}
            {formatBytes(UPLOAD_LIMIT_BYTES)} together; more with <span className="font-mono">npm run tenants -- import</span>. Users with an argon2id password
            hash get an account; the others are invited by email.
          </p>
          <div className="flex flex-wrap items-center gap-3">
            <button type="submit" disabled={busy !== null || !hydrated} className="rounded-lg bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-dark disabled:opacity-60">
              {busy === "dry-run" ? "Checking…" : "Dry run"}
            </button>
            <button
              type="button"
              disabled={busy !== null || !hydrated}
              onClick={() => void run("import")}
              className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60"
            >
              {busy === "import" ? "Importing…" : target ? `Import into ${target.name}` : "Import"}
            </button>
            <span className="text-xs text-slate-500">A dry run writes nothing. An import is one transaction; running it again creates nothing twice.</span>
          </div>
          {error && (
            <p role="alert" className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="import-error">
              {error}
            </p>
          )}
        </form>
      </section>
      {report && <Report r={report.r} tenantName={report.tenantName} />}
    </div>
  );
}
