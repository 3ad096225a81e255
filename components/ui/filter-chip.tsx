// One filter of a list page: a plain link (the URL is the state) with its
// count, marked as the current page when selected. `attentionTone` colours
// the count when it is something to act on (expired credentials, pending
// rotations).
export function FilterChip(props: {
  href: string;
  label: string;
  count: number;
  current: boolean;
  title: string;
  testId: string;
  /** Tailwind classes for the count's badge when it needs attention; plain grey otherwise. */
  attentionTone?: string;
}) {
  // The selected filter's count in the brand's accent (its text colour derived for contrast).
  const badge = props.current ? "bg-brand-accent text-brand-accent-contrast" : (props.attentionTone ?? "bg-slate-100 text-slate-600");
  return (
    <a
      href={props.href}
      aria-current={props.current ? "page" : undefined}
      title={props.title}
      data-testid={props.testId}
      className={`inline-flex items-center gap-2 rounded-full px-3 py-1 text-sm font-medium ring-1 ${
        props.current ? "bg-slate-900 text-white ring-slate-900" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50"
      }`}
    >
      {props.label}
      <span className={`rounded-full px-1.5 text-xs tabular-nums ${badge}`}>{props.count.toLocaleString("en")}</span>
    </a>
  );
}
