// Each usage metric and what it counts, in words: the usage pages' empty states (the customer's words on its
// own host, where the readings come from on the console: lib/usage/empty-state.ts).
export interface UsageSource {
  metric: string;
  label: string;
  text: string;
}

export function UsageSources({ sources }: { sources: readonly UsageSource[] }) {
  return (
    <ul className="mt-2 list-disc pl-5 text-sm text-slate-600">
      {sources.map((m) => (
        <li key={m.metric}>
          <span className="font-medium">{m.label}</span>: {m.text}.
        </li>
      ))}
    </ul>
  );
}
