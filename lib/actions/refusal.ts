// A refusal by a domain rule (the last admin, a duplicate credential name, a
// credential that fails its integrity check…), as opposed to a PDP deny or a
// fault. tenantAction shows its message to the person and audits it as a
// denied attempt with reason "rule". Messages must be safe to show: built from
// names and SQLSTATEs, never from input values or secrets.
export class ActionRefusal extends Error {
  constructor(
    message: string,
    /** Recorded with the denied audit row (safe values only: names, never input). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ActionRefusal";
  }
}
