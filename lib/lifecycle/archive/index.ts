// Per-tenant export, restore and legacy import (issue 8, points 6 and 7).
// docs/tenant-migration.md describes the archive and the runbook.
export { exportTenant, type ExportOptions, type ExportResult } from "./export";
export { restoreTenant, type RestoreOptions, type RestoreResult } from "./restore";
export { inspectArchive, type InspectResult } from "./inspect";
export { importLegacyData, type ImportOptions, type ImportReport } from "./import";
export { newTransferKey, parseTransferKey } from "./crypto";
export { ArchiveError, isArchiveError, type ArchiveErrorCode } from "./errors";
