// A setting change refused by a rule a person can act on (unknown setting,
// wrong type, out of bounds, locked above, MSSP-only). An ActionRefusal, so
// tenantAction shows the message and audits the attempt as denied, with the
// details below (which setting, which problem; never the refused value).
import { ActionRefusal } from "@/lib/actions/refusal";

export class SettingRefusal extends ActionRefusal {
  constructor(message: string, details: { setting?: string; problem: string; locked_at?: string }) {
    super(message, details);
    this.name = "SettingRefusal";
  }
}
