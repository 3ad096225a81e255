// The credentials pages say who can get a saved secret back (finding: they said
// "nobody, admins included", while any key of the tenant with collectors:write
// gets every secret the collector pulls from POST /collectors/{name}/credentials,
// and a tenant or MSSP admin may create such a key). Pinned here: the read-only
// notice as rendered, the add form's text, the API keys page's scope label, and no
// page or doc promising that nobody can read a secret back.
// First: installs Next's request storage before any next/* module loads (the panel imports server actions).
import "./helpers/actions";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { CredentialsPanel } from "@/components/credentials/credentials-panel";
import { SCOPE_LABELS } from "@/lib/api/keys/scopes";
import { connectorFormSpecs } from "@/lib/credentials/connectors";
import { SECRET_ACCESS_NOTE } from "@/lib/credentials/secret-access";

const text = (markup: string) => markup.replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'").replace(/&quot;/g, '"');

test("the note names who can open a secret: the collector's key with collectors:write, audited, so an admin who can make one", () => {
  assert.match(SECRET_ACCESS_NOTE, /collectors:write/);
  assert.match(SECRET_ACCESS_NOTE, /audited/);
  assert.match(SECRET_ACCESS_NOTE, /admins.*can therefore obtain the secret/);
});

test("the read-only notice, as rendered, says it (and no longer that nobody can read a secret back)", () => {
  const markup = text(
    renderToStaticMarkup(
      createElement(CredentialsPanel, { tenantId: "00000000-0000-4000-8000-000000000001", tenantName: "Acme", canManage: false, credentials: [], connectors: connectorFormSpecs() }),
    ),
  );
  assert.ok(markup.includes(SECRET_ACCESS_NOTE), markup.slice(0, 500));
  assert.doesNotMatch(markup, /nobody can read/i);
});

test("the add form shows the same note; the API keys page's collectors:write label says it opens the saved secrets", async () => {
  const source = await readFile(path.join(process.cwd(), "components/credentials/credentials-panel.tsx"), "utf8");
  assert.match(source, /data-testid="secret-access"[^]*?\{SECRET_ACCESS_NOTE\}/);
  assert.match(SCOPE_LABELS["collectors:write"], /saved connector secrets/);
});

test("no page, component or doc promises that nobody can read a saved secret back", async () => {
  const roots = ["components", "app", "docs", "lib"];
  const offending: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/\.(tsx?|md)$/.test(entry.name)) {
        const body = await readFile(full, "utf8");
        // The promises this replaced (an API key's own secret, which is only hashed, may still say it cannot be read back).
        if (/nobody can read it back afterwards|nobody can read a secret back|read it back afterwards, admins included|and never to a person/i.test(body)) offending.push(full);
      }
    }
  };
  for (const root of roots) await walk(path.join(process.cwd(), root));
  assert.deepEqual(offending, []);
});
