// The empty state of a filterable list: says whether the filters or the data
// are why nothing shows, and what to do about it.
export function FilteredEmpty(props: {
  testId: string;
  filtered: boolean;
  title: { empty: string; filtered: string };
  hint: { empty: string; filtered: string };
}) {
  const which = props.filtered ? "filtered" : "empty";
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid={props.testId}>
      <p className="text-sm font-medium text-slate-800">{props.title[which]}</p>
      <p className="mt-1 text-sm text-slate-500">{props.hint[which]}</p>
      {props.filtered && (
        <a href="?" className="mt-4 inline-block text-sm font-medium text-brand hover:underline">
          Clear filters
        </a>
      )}
    </div>
  );
}
