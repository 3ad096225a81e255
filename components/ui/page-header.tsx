export function PageHeader(props: { title: string; description?: React.ReactNode; actions?: React.ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      {/* min-w-0 and wrapping anywhere: a title naming a long tenant, key or domain wraps instead of widening the page. */}
      <div className="min-w-0">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900 [overflow-wrap:anywhere]">{props.title}</h1>
        {props.description && <p className="mt-1 text-sm text-slate-500 [overflow-wrap:anywhere]">{props.description}</p>}
      </div>
      {props.actions}
    </div>
  );
}

export function Notice({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <div role="status" className="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
      {messages.map((m) => (
        <p key={m}>{m}</p>
      ))}
    </div>
  );
}
