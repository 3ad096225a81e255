// A wide table's own horizontal scroller: on a phone the table scrolls inside
// this box instead of pushing the page wider than the screen. It is a named,
// focusable region, so keyboard users can scroll it too (axe:
// scrollable-region-focusable), with a visible focus ring.
export function TableScroll(props: { label: string; className?: string; children: React.ReactNode; testId?: string }) {
  return (
    <div
      role="region"
      aria-label={props.label}
      tabIndex={0}
      data-testid={props.testId}
      className={`relative overflow-x-auto focus:outline-none focus-visible:ring-2 focus-visible:ring-brand focus-visible:ring-offset-1 ${props.className ?? ""}`}
    >
      {props.children}
    </div>
  );
}
