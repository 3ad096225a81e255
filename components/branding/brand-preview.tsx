// A brand drawn with its own colours, scoped to this box (CSS variables on
// the element, not the page): the brand page shows the draft before it is
// published. Every text is rendered by React (escaped).
import type { Brand } from "@/lib/branding/brand";

export function BrandPreview({ brand, label }: { brand: Brand; label: string }) {
  const p = brand.palette;
  const style = { "--pv-primary": p.primary, "--pv-on-primary": p.onPrimary, "--pv-accent": p.accent, "--pv-on-accent": p.onAccent, "--pv-tint": p.tint50, "--pv-strong": p.textStrong } as React.CSSProperties;
  return (
    <section aria-label={label} data-testid="brand-preview" className="overflow-hidden rounded-xl border border-slate-200 bg-white" style={style}>
      <div className="flex items-center gap-3 border-b border-slate-200 px-4 py-3">
        {brand.logoLight ? (
          // eslint-disable-next-line @next/next/no-img-element
          <img src={brand.logoLight.url} alt={`${brand.productName} logo`} className="h-8 max-w-40 object-contain" />
        ) : (
          <span aria-hidden className="grid h-8 w-8 place-items-center rounded-lg text-sm font-bold" style={{ background: "var(--pv-primary)", color: "var(--pv-on-primary)" }}>
            {brand.productName.slice(0, 1)}
          </span>
        )}
        <span className="font-semibold text-slate-900" data-testid="preview-product-name">{brand.productName}</span>
      </div>
      <div className="space-y-3 p-4" style={{ background: "var(--pv-tint)" }}>
        <p className="text-base font-semibold" style={{ color: "var(--pv-strong)" }}>{brand.signinHeading}</p>
        {brand.signinText ? <p className="text-sm text-slate-700">{brand.signinText}</p> : null}
        <div className="flex flex-wrap gap-2">
          <span className="rounded-lg px-3 py-1.5 text-sm font-medium" style={{ background: "var(--pv-primary)", color: "var(--pv-on-primary)" }}>Primary button</span>
          {/* The accent as pages use it (app/globals.css, components/shell/main-nav.tsx, components/ui/filter-chip.tsx). */}
          <span className="rounded-md bg-white px-3 py-1.5 text-sm font-medium text-slate-900" style={{ boxShadow: "inset 0 -2px 0 var(--pv-accent)" }}>Current page</span>
          <span className="inline-flex items-center gap-2 rounded-full bg-slate-900 px-3 py-1 text-sm font-medium text-white">
            Selected filter
            <span className="rounded-full px-1.5 text-xs tabular-nums" style={{ background: "var(--pv-accent)", color: "var(--pv-on-accent)" }}>12</span>
          </span>
          <span className="rounded-lg bg-white px-3 py-1.5 text-sm font-medium text-slate-900" style={{ outline: "2px solid var(--pv-accent)", outlineOffset: 2 }}>Keyboard focus</span>
          <span className="px-1 py-1.5 text-sm font-medium underline" style={{ color: "var(--pv-primary)" }}>A link</span>
        </div>
        {brand.supportEmail || brand.supportUrl ? (
          <p className="text-xs text-slate-700">Help: {[brand.supportEmail, brand.supportUrl].filter(Boolean).join(" · ")}</p>
        ) : null}
      </div>
    </section>
  );
}
