// A lifecycle command refused by a rule of the tree or of the tenant's state
// (a reserved slug, a move into its own subtree, offboarding the MSSP). The
// action guard shows the message and audits a denied attempt; the tenants
// command prints it and exits 2. Nothing was changed when one is thrown.
import { ActionRefusal } from "@/lib/actions/refusal";

export class LifecycleRefusal extends ActionRefusal {
  constructor(message: string) {
    super(message);
    this.name = "LifecycleRefusal";
  }
}
