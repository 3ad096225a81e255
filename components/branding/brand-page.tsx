// The brand page's body, shared by the tenant host (/settings/brand) and the
// console (/customers/<slug>/brand): published brand, draft preview, editor.
import { PageHeader } from "@/components/ui/page-header";
import type { BrandPageData } from "@/lib/branding/draft";
import { BrandEditor } from "./brand-editor";
import { BrandPreview } from "./brand-preview";

export function BrandPage({ data, backHref }: { data: BrandPageData; backHref?: string }) {
  return (
    <>
      <PageHeader
        title="Brand"
        description="Your portal's name, logo, colours and sign-in texts. Changes go into a draft: preview it, then publish. Values come from the tenant above unless set here."
        actions={backHref ? <a href={backHref} className="text-sm text-brand hover:underline">Back</a> : undefined}
      />
      <div className="mb-6 grid gap-4 lg:grid-cols-2">
        <div>
          <h2 className="mb-2 text-sm font-semibold text-slate-800">Published</h2>
          <BrandPreview brand={data.published} label="Published brand" />
        </div>
        <div>
          <h2 className="mb-2 text-sm font-semibold text-slate-800">Draft preview</h2>
          {data.preview ? (
            <BrandPreview brand={data.preview} label="Draft preview" />
          ) : (
            <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-700">No draft. Change a field or upload a logo below to see it here before publishing.</p>
          )}
        </div>
      </div>
      <BrandEditor data={data} />
    </>
  );
}
