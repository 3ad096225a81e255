// The usage page before anything was metered: on the customer's own host it
// says, in the customer's words, what will appear and what they can do (an API
// key for their collector or integrations, when the PDP lets them create one;
// their provider otherwise), never the portal's internals (endpoints, the API
// gateway, snapshots). On the console the operator reads where each reading
// comes from. Real Postgres, RLS and the PDP; the view rendered last.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { UsageView } from "@/components/usage/usage-view";
import { usageEmptyState } from "@/lib/usage/empty-state";
import { loadTenantUsage } from "@/lib/usage/page-data";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();
const PROVIDER = { kind: "tenant" as const, providerName: "Sentinel MSSP" };
const text = (html: string) => html.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ");

test("the customer's admin: what will appear, in their words, and the API key to start with", async () => {
  const data = (await env.as("acmeAdmin", (tx) => loadTenantUsage(tx, "acme-us", new Date(), PROVIDER)))!;
  assert.equal(data.hasData, false);
  const empty = data.empty!;
  assert.equal(empty.title, `No usage recorded for ${data.tenant.name} yet.`);
  assert.equal(empty.items.length, 6);
  assert.match(empty.items.find((i) => i.metric === "alerts_ingested")!.text, /alerts your security tools send in/);
  assert.deepEqual(empty.action, { href: "/api-keys", label: "Create an API key" });
  assert.match(empty.next, /create an API key for your collector or your integrations/);
  assert.match(empty.next, /Sentinel MSSP can help/);
  const page = text(renderToStaticMarkup(createElement(UsageView, { data })));
  assert.match(page, /Create an API key/);
  // The developer's words of before: none of them reach the customer.
  assert.doesNotMatch(page, /POST|\/api\/v1|gateway|snapshot|rolled up|checkpoint/i);
});

test("a reader who may not create API keys is told whom to ask, without the link", () => {
  const viewer = usageEmptyState("Acme US East", { kind: "tenant", providerName: "Sentinel MSSP", canManageKeys: false });
  assert.equal(viewer.action, null);
  assert.match(viewer.next, /Your account's admin connects your security tools with an API key; ask them, or Sentinel MSSP/);
});

test("the console: the operator reads where each reading comes from", async () => {
  const data = (await env.as("msspAdmin", (tx) => loadTenantUsage(tx, "acme-us")))!;
  assert.equal(data.empty?.action, null);
  assert.match(data.empty!.items.find((i) => i.metric === "api_requests")!.text, /API gateway/);
  assert.match(data.empty!.next, /customer's collector or integrations/);
});
