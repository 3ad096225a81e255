// A wide table's own horizontal scroller: on a phone the table scrolls inside
// this box instead of pushing the page wider than the screen. It is a named,
// focusable region, so keyboard users can scroll it too (axe:
// scrollable-region-focusable), with a visible focus ring.
//
// The name is either a label, or (labelledBy) the id of a heading inside the
// box, for a box that shows its own title: the region is then named by what
// is on screen rather than by a second copy of the same words. One or the
// other, never both.
type Name = { label: string; labelledBy?: never } | { labelledBy: string; label?: never };

export function TableScroll(props: Name & { className?: string; children: React.ReactNode; testId?: string }) {
  return (
    <div
      role="region"
      aria-label={props.label}
      aria-labelledby={props.labelledBy}
      tabIndex={0}
      data-testid={props.testId}
      className={`relative overflow-x-auto focus:outline-none focus-visible:ring-2 focus-visible:ring-brand focus-visible:ring-offset-1 ${props.className ?? ""}`}
    >
      {props.children}
    </div>
  );
}
