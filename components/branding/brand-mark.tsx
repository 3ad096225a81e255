// The host's logo (or a plain mark in its primary colour) and product name,
// for the sign-in page and error pages. Server component: the brand comes
// from the request (lib/branding/resolve.ts), text is escaped by React.
import type { Brand } from "@/lib/branding/brand";

export function BrandMark({ brand, size = "md" }: { brand: Brand; size?: "sm" | "md" }) {
  const box = size === "sm" ? "h-8" : "h-10";
  if (brand.logoLight) {
    // eslint-disable-next-line @next/next/no-img-element
    return <img src={brand.logoLight.url} alt={brand.productName} className={`${box} max-w-48 object-contain`} data-testid="brand-logo" />;
  }
  return (
    <span aria-hidden className={`grid ${box} ${size === "sm" ? "w-8 text-sm" : "w-10 text-lg"} shrink-0 place-items-center rounded-xl bg-brand font-bold`}>
      {brand.productName.slice(0, 1).toUpperCase()}
    </span>
  );
}

/** Support contact line, or nothing. */
export function BrandSupport({ brand }: { brand: Brand }) {
  if (!brand.supportEmail && !brand.supportUrl) return null;
  return (
    <p className="mt-4 text-center text-xs text-slate-600" data-testid="brand-support">
      Need help?{" "}
      {brand.supportEmail ? (
        <a className="underline" href={`mailto:${brand.supportEmail}`}>
          {brand.supportEmail}
        </a>
      ) : null}
      {brand.supportEmail && brand.supportUrl ? " · " : null}
      {brand.supportUrl ? (
        <a className="underline" href={brand.supportUrl} rel="noopener noreferrer">
          Support site
        </a>
      ) : null}
    </p>
  );
}
