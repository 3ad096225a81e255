// Where each usage metric's readings come from, in words: the usage pages' empty states (tenant and console).
export interface UsageSource {
  metric: string;
  label: string;
  recordedBy: string;
}

export function UsageSources({ sources }: { sources: readonly UsageSource[] }) {
  return (
    <ul className="mt-2 list-disc pl-5 text-sm text-slate-600">
      {sources.map((m) => (
        <li key={m.metric}>
          <span className="font-medium">{m.label}</span>: {m.recordedBy}.
        </li>
      ))}
    </ul>
  );
}
