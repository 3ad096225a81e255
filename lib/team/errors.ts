// Database refusals from the team rules, as messages a person can act on.
import { ActionRefusal } from "@/lib/actions/refusal";

export class TeamError extends ActionRefusal {
  constructor(message: string) {
    super(message);
    this.name = "TeamError";
  }
}

export function teamErrorFrom(error: unknown): TeamError | null {
  if (error instanceof TeamError) return error;
  // drizzle wraps the driver's error (with its SQLSTATE) in `cause`.
  const wrapped = error as { cause?: unknown };
  const e = (wrapped?.cause ?? error) as { code?: string; hint?: string; message?: string };
  if (e?.hint === "last_admin") return new TeamError("This is the tenant's last admin. Make someone else admin first.");
  if (e?.hint === "invitation_invalid")
    return new TeamError("This invitation link is invalid, expired or already used, or it was sent to another email address. Ask the admin for a new one.");
  if (e?.code === "42501") return new TeamError("You can only grant, change or remove roles up to your own, within your own tenants.");
  if (e?.code === "23505") return new TeamError("That person already has an open invitation or membership here.");
  if (e?.code === "23514" && /cannot be held/.test(e.message ?? "")) return new TeamError("That role does not exist on this kind of tenant.");
  return null;
}
