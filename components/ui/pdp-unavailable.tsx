// Shown instead of a page or a form result when the policy decision point
// (the Cerbos sidecar) could not answer: lib/authz isPdpUnavailable(error).
// The check failed closed, so the message says nothing was changed.
import { StatusPage } from "./status-page";

const TITLE = "Authorization service unavailable";

function Body() {
  return (
    <>
      <p>Nothing was changed. Try again in a minute.</p>
      <p className="mt-2 text-xs text-slate-500">
        Operators: check the Cerbos sidecar (the <code>cerbos</code> container next to the portal, or{" "}
        <code>CERBOS_URL</code>); its health endpoint is <code>/_cerbos/health</code>.
      </p>
    </>
  );
}

/** Full page by default; `inline` renders a banner for use inside a page or next to a form. */
export function PdpUnavailable(props: { inline?: boolean }) {
  if (props.inline) {
    return (
      <div role="alert" data-testid="pdp-unavailable" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800">
        <p className="font-semibold">{TITLE}</p>
        <div className="mt-1">
          <Body />
        </div>
      </div>
    );
  }
  return (
    <div data-testid="pdp-unavailable" role="alert">
      <StatusPage code="503" tone="danger" title={TITLE} message={<Body />} />
    </div>
  );
}
