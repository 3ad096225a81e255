// The lifecycle actions change tenants through the named service-role path
// (authenticated may not insert tenants or change their status), after the
// guard has loaded the target under RLS and the PDP has allowed the action.
// The guard's audit row is then written in the caller's transaction.
export { withLifecycle as asLifecycle } from "@/lib/lifecycle/service-path";
