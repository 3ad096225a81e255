// Refusals of export, restore and import. The message is for the operator
// (it names tenants, tables, files and lines, never a key or a secret); the
// code lets the CLI choose its exit status and tests assert the reason.
export type ArchiveErrorCode =
  | "bad-key"
  | "wrong-key"
  | "not-archive"
  | "unknown-format"
  | "corrupt"
  | "tampered"
  | "truncated"
  | "exists"
  | "conflict"
  | "not-found"
  | "schema"
  | "invalid";

export class ArchiveError extends Error {
  override readonly name = "ArchiveError";
  constructor(
    readonly code: ArchiveErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const isArchiveError = (e: unknown): e is ArchiveError => e instanceof ArchiveError;
