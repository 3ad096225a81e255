// The alert page's assignee select names a current assignee the caller cannot
// pick as the page names them elsewhere (lib/alerts/people.ts: "a former
// member", "staff of a parent tenant", "MSSP staff"), not always "MSSP staff".
import "./helpers/actions";
import assert from "node:assert/strict";
import { test } from "node:test";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";

const { TriagePanel } = await import("@/components/alerts/triage-panel");

const props = {
  tenantId: "00000000-0000-4000-8000-000000000001",
  alertId: "00000000-0000-4000-8000-000000000002",
  status: "acknowledged" as const,
  nextStatuses: ["in_progress", "resolved"] as const,
  assignees: [{ id: "00000000-0000-4000-8000-00000000000a", name: "Ann", email: "ann@example.test" }],
  groups: [],
  groupMembers: {},
  assignedGroupId: null,
};

const currentOption = (html: string) => /<option value="[^"]*" selected="">([^<]*)<\/option>/.exec(html)?.[1];

test("a current assignee the caller cannot pick reads as the page labels them", () => {
  const html = renderToStaticMarkup(
    createElement(TriagePanel, { ...props, assignedTo: "00000000-0000-4000-8000-00000000000b", assignedToLabel: "a former member" }),
  );
  assert.equal(currentOption(html), "a former member (current)");
  assert.doesNotMatch(html, /MSSP staff/);
});

test("a pickable current assignee is the option itself; unassigned selects Unassigned", () => {
  const picked = renderToStaticMarkup(createElement(TriagePanel, { ...props, assignedTo: props.assignees[0].id, assignedToLabel: "Ann" }));
  assert.equal(currentOption(picked), "Ann (ann@example.test)");
  assert.doesNotMatch(picked, /\(current\)/);
  const none = renderToStaticMarkup(createElement(TriagePanel, { ...props, assignedTo: null, assignedToLabel: null }));
  assert.equal(currentOption(none), "Unassigned");
});
