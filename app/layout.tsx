import type { Metadata } from "next";
import { headers } from "next/headers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "MSSP Portal", template: "%s · MSSP Portal" },
  description: "Multi-tenant security operations portal",
};

// Every page is rendered per request: the CSP nonce (set by proxy.ts) is new
// for each response, and Next puts it on its scripts only while rendering. A
// page prerendered at build time would carry no nonce and its scripts would
// be refused. Reading the request's headers here opts every page in.
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  await headers();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
