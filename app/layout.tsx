import type { Metadata } from "next";
import { headers } from "next/headers";
import { paletteCss } from "@/lib/branding/color";
import { requestBrand } from "@/lib/branding/resolve";
import "./globals.css";

// The host's brand (lib/branding), resolved once per request from the
// per-process cache: title, favicon and the colours as CSS variables in the
// first byte of the page, so nothing paints in the default theme first and
// the browser fetches no brand. The console keeps the MSSP's brand.
export async function generateMetadata(): Promise<Metadata> {
  const brand = await requestBrand();
  return {
    title: { default: brand.productName, template: `%s · ${brand.productName}` },
    description: `${brand.productName}: security operations portal`,
    icons: { icon: brand.faviconUrl },
  };
}

// Every page is rendered per request: the CSP nonce (set by proxy.ts) is new
// for each response, and Next puts it on its scripts only while rendering. A
// page prerendered at build time would carry no nonce and its scripts would
// be refused. Reading the request's headers here opts every page in.
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  await headers();
  const brand = await requestBrand();
  return (
    <html lang="en">
      <head>
        {/* Only hex colours computed by lib/branding/color.ts reach this CSS: no user text. */}
        <style id="brand-theme" dangerouslySetInnerHTML={{ __html: paletteCss(brand.palette) }} />
      </head>
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
