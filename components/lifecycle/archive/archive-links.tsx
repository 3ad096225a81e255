// The Customers page's way to the archive pages: restore a tenant from an
// archive, import a legacy install. (Export is on each tenant's page.)
const link = "rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50";

export function ArchiveLinks() {
  return (
    <nav aria-label="Archives" className="-mt-3 mb-4 flex flex-wrap justify-end gap-2">
      <a href="/customers/restore" className={link}>
        Restore an archive
      </a>
      <a href="/customers/import" className={link}>
        Import a legacy install
      </a>
    </nav>
  );
}
