// The tenant API's reference, rendered from the OpenAPI document's model
// (lib/api/openapi/reference.ts): one section per resource, one card per
// operation with its scope, fields, responses and a curl example.
import { TableScroll } from "@/components/ui/table-scroll";
import type { FieldRow, ReferenceModel, ReferenceOperation } from "@/lib/api/openapi/reference";

const METHOD_STYLE: Record<string, string> = {
  GET: "bg-sky-100 text-sky-800 ring-sky-300",
  POST: "bg-emerald-100 text-emerald-800 ring-emerald-300",
  PATCH: "bg-amber-100 text-amber-800 ring-amber-300",
  DELETE: "bg-red-100 text-red-800 ring-red-300",
};

function Fields({ title, rows }: { title: string; rows: FieldRow[] }) {
  if (rows.length === 0) return null;
  return (
    <div>
      <h4 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h4>
      <TableScroll label={title}>
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-slate-500">
            <tr>
              <th className="py-1 pr-3 font-medium">Field</th>
              <th className="py-1 pr-3 font-medium">Type</th>
              <th className="py-1 font-medium">Notes</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((r) => (
              <tr key={r.name} className="align-top">
                <td className="py-1 pr-3 font-mono text-xs text-slate-900">
                  {r.name}
                  {r.required && <span className="ml-1 text-red-700" title="required">*</span>}
                </td>
                <td className="max-w-xs break-words py-1 pr-3 font-mono text-xs text-slate-600">{r.type}</td>
                <td className="py-1 text-xs text-slate-600">{r.notes}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </div>
  );
}

function Operation({ op, basePath }: { op: ReferenceOperation; basePath: string }) {
  return (
    <article id={op.id} className="space-y-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="api-operation">
      <header className="space-y-1">
        <div className="flex flex-wrap items-center gap-2">
          <span className={`rounded px-2 py-0.5 font-mono text-xs font-bold ring-1 ${METHOD_STYLE[op.method] ?? ""}`}>{op.method}</span>
          <code className="text-sm font-semibold text-slate-900">
            {basePath}
            {op.path}
          </code>
          <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700 ring-1 ring-slate-200">scope {op.scope}</span>
        </div>
        <h3 className="text-base font-semibold text-slate-900">{op.summary}</h3>
        {op.description && <p className="max-w-3xl whitespace-pre-line text-sm text-slate-600">{op.description}</p>}
      </header>
      <Fields title="Parameters" rows={op.parameters} />
      <Fields title="Request body (application/json)" rows={op.body} />
      <Fields title={`Response ${op.successStatus}`} rows={op.response} />
      <div>
        <h4 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Errors (application/problem+json)</h4>
        <ul className="grid gap-1 text-xs text-slate-600 sm:grid-cols-2">
          {op.errorStatuses.map((e) => (
            <li key={e.status}>
              <span className="font-mono font-semibold text-slate-800">{e.status}</span> {e.description}
            </li>
          ))}
        </ul>
      </div>
      <pre tabIndex={0} aria-label="Example request" className="overflow-x-auto rounded-lg bg-slate-900 p-3 text-xs text-slate-100">{op.curl}</pre>
    </article>
  );
}

export function ApiReference({ model }: { model: ReferenceModel }) {
  return (
    <div className="mx-auto max-w-5xl space-y-8 px-4 py-8">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{model.title}</h1>
        <p className="max-w-3xl text-sm text-slate-600">{model.description}</p>
        <p className="text-sm text-slate-600">
          Every operation is also available for an MSSP key as <code className="font-mono text-xs">{model.basePath}/tenants/&#123;slug&#125;/…</code>.
          The machine-readable document: <a className="font-medium text-brand hover:underline" href={`${model.basePath}/openapi.json`}>{model.basePath}/openapi.json</a> (OpenAPI 3.1).
        </p>
        <nav aria-label="Operations" className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {model.tags.flatMap((t) =>
            t.operations.map((op) => (
              <a key={op.id} href={`#${op.id}`} className="text-brand hover:underline">
                {op.method} {op.path}
              </a>
            )),
          )}
        </nav>
      </header>
      {model.tags.map((t) => (
        <section key={t.name} aria-labelledby={`tag-${t.name}`} className="space-y-4">
          <h2 id={`tag-${t.name}`} className="text-lg font-semibold text-slate-900">
            {t.name}
          </h2>
          {t.operations.map((op) => (
            <Operation key={op.id} op={op} basePath={model.basePath} />
          ))}
        </section>
      ))}
    </div>
  );
}
