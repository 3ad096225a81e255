// The server-action matrix for lib/actions/credentials and lib/actions/keys
// (tests/actions-matrix.test.ts says what each case proves).
//
// Every credentials case seals a fresh credential in Acme or Globex (the
// positive controls, the foreign objects, the set-ups of delete/replace/test),
// more than the registry's default limits.connectors (20) allows one tenant.
// The limit itself is tested in tests/settings-actions.test.ts; here it is
// raised for the two fixture tenants through the registry (as the MSSP's
// admin, who governs limits), so each case tests its own action.
// The harness first: it installs what Next's modules expect before any loads.
import { runActionMatrix } from "./helpers/actions-matrix";

runActionMatrix("credentials-keys", {
  async setup(env) {
    const { withTenant } = await import("@/lib/db/with-tenant");
    const { settingDefinition, setSettingValue } = await import("@/lib/settings");
    const definition = settingDefinition("limits.connectors");
    if (!definition) throw new Error("the settings registry has no limits.connectors");
    await withTenant({ userId: env.fx.users.msspAdmin }, async (tx) => {
      for (const tenant of ["acme", "globex"] as const) await setSettingValue(tx, { tenantId: env.fx.tenants[tenant], key: "limits.connectors", raw: "1000" });
    });
  },
});
