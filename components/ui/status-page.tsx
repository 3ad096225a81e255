// Full-page message for 404 / 403 / errors: says what happened and what to do.
import Link from "next/link";

export function StatusPage(props: {
  code: string;
  title: string;
  message: React.ReactNode;
  action?: { href: string; label: string };
  tone?: "neutral" | "danger";
}) {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-md rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
        <p className={`text-sm font-semibold ${props.tone === "danger" ? "text-red-600" : "text-brand"}`}>{props.code}</p>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight">{props.title}</h1>
        <div className="mt-3 text-sm leading-6 text-slate-600">{props.message}</div>
        {props.action && (
          <Link
            href={props.action.href}
            className="mt-6 inline-flex rounded-lg bg-brand px-4 py-2 text-sm font-medium text-white hover:bg-brand-dark"
          >
            {props.action.label}
          </Link>
        )}
      </div>
    </main>
  );
}
