import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "MSSP Portal", template: "%s · MSSP Portal" },
  description: "Multi-tenant security operations portal",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
